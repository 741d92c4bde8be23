package io.chatservice.http.socket;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.chat.api.Names;
import io.chatservice.chat.api.SendRequest;
import io.chatservice.chat.api.TextRules;
import io.chatservice.http.testing.HostileInputs;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** /ws frames as a hostile client writes them: each is read as a request or refused with a contract code. */
class InboundFramePropertiesTest {

  private static final TextRules RULES = new TextRules(TextRules.DEFAULT_MAX);

  @Property(tries = 3000)
  @Label("Any text is read as join, leave, send or a refusal with a contract code; reading never throws")
  void anyTextIsARequestOrARefusal(@ForAll("frames") String text) {
    InboundFrame frame = InboundFrame.parse(text);
    if (frame instanceof InboundFrame.Invalid invalid) {
      assertThat(invalid.reason().error()).isIn(ChatError.MALFORMED_BODY, ChatError.INVALID_ROOM, ChatError.INVALID_PARAMETER);
    } else if (frame instanceof InboundFrame.Join join) {
      assertThat(join.room()).isNotNull();
      assertThat(join.after()).satisfiesAnyOf(after -> assertThat(after).isNull(), after -> assertThat(after).isNotNegative());
    } else if (frame instanceof InboundFrame.Send send) {
      checkSend(send.body());
    }
    // The answer frame, whatever ref it echoes, can be written.
    assertThat(new JsonObject().put("type", "error").put("ref", frame.ref()).encode()).isNotEmpty();
  }

  /** What the domain does with a send body before touching the database: a valid send or a contract refusal. */
  private static void checkSend(JsonObject body) {
    try {
      SendRequest send = SendRequest.fromBody(body);
      RULES.check(send.text());
      Names.isRoomId(send.room());
    } catch (ChatException refused) {
      assertThat(refused.error()).isIn(ChatError.MALFORMED_BODY, ChatError.INVALID_ROOM, ChatError.INVALID_TEXT,
        ChatError.TEXT_TOO_LONG);
    }
  }

  @Provide
  Arbitrary<String> frames() {
    return HostileInputs.frameTexts(HostileInputs.socketFrames());
  }
}
