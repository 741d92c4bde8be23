package io.chatservice.http.bridge;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.testing.HostileInputs;
import io.vertx.core.buffer.Buffer;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/** Bridge frames as a hostile client writes them, bytes included: each is a request or a bridge refusal. */
class BridgeFramePropertiesTest {

  @Property(tries = 3000)
  @Label("Any bytes are read as ping, send, register, unregister or a known refusal; reading never throws")
  void anyBytesAreARequestOrARefusal(@ForAll("frames") byte[] data) {
    BridgeFrame frame = BridgeFrame.parse(Buffer.buffer(data));
    if (frame instanceof BridgeFrame.Refused refused) {
      assertThat(BridgeFrame.ERRORS).contains(refused.error());
    } else if (frame instanceof BridgeFrame.Send send) {
      assertThat(send.replyAddress()).satisfiesAnyOf(reply -> assertThat(reply).isNull(),
        reply -> assertThat(reply).hasSizeLessThanOrEqualTo(BridgeFrame.MAX_REPLY_ADDRESS));
      if (send.invalid() != null) {
        assertThat(send.invalid().error()).isEqualTo(ChatError.MALFORMED_BODY);
      } else {
        assertThat(send.body()).isInstanceOf(io.vertx.core.json.JsonObject.class);
      }
    } else if (frame instanceof BridgeFrame.Register register) {
      assertThat(register.address()).isNotNull();
      if (register.invalid() != null) {
        assertThat(register.invalid().error()).isEqualTo(ChatError.INVALID_PARAMETER);
        assertThat(ChatAddresses.roomOf(register.address())).isNotNull();
      } else {
        assertThat(register.after()).satisfiesAnyOf(after -> assertThat(after).isNull(), after -> assertThat(after).isNotNegative());
      }
    }
  }

  @Provide
  Arbitrary<byte[]> frames() {
    return HostileInputs.frameBytes(HostileInputs.bridgeFrames());
  }
}
