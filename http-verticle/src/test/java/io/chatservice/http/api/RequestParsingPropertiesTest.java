package io.chatservice.http.api;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.http.testing.HostileInputs;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/** REST bodies and the seqs of queries and headers, as a hostile client sends them. */
class RequestParsingPropertiesTest {

  @Property(tries = 2000)
  @Label("A seq parameter is absent, a whole number >= 0 that reads back as sent, or a 422 invalid_parameter")
  void seqIsANumberOrA422(@ForAll("seqs") String value) {
    try {
      Long seq = QueryParams.seq("after", value);
      assertThat(seq).isNotNull().isNotNegative();
      assertThat(Long.parseLong(value.trim())).isEqualTo(seq);
    } catch (ChatException refused) {
      assertThat(refused.error()).isEqualTo(ChatError.INVALID_PARAMETER);
    }
  }

  @Property(tries = 2000)
  @Label("A body is a JSON object or a 400 malformed_body, whatever its bytes")
  void bodyIsAnObjectOrA400(@ForAll("bodies") byte[] body) {
    try {
      assertThat(RequestBodies.jsonObject(Buffer.buffer(body))).isInstanceOf(JsonObject.class);
    } catch (ChatException refused) {
      assertThat(refused.error()).isEqualTo(ChatError.MALFORMED_BODY);
    }
  }

  @Property(tries = 1000)
  @Label("Whether a query decodes is answered for any URI, never thrown")
  void queryDecodingIsAnswered(@ForAll("seqs") String query) {
    assertThatCode(() -> QueryParams.undecodable("/api/rooms/general/messages?after=" + query)).doesNotThrowAnyException();
  }

  @Provide
  Arbitrary<String> seqs() {
    return HostileInputs.strings();
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return HostileInputs.frameBytes(HostileInputs.socketFrames());
  }
}
