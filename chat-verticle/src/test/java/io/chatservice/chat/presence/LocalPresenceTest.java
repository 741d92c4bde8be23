package io.chatservice.chat.presence;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPresenceTest {

  @Test
  @DisplayName("A user with two connections is online until the last one closes")
  void onlineUntilLastConnectionCloses() {
    LocalPresence presence = new LocalPresence();
    assertThat(presence.connect("alice", "c1").result()).isTrue();
    assertThat(presence.connect("alice", "c2").result()).isFalse();
    assertThat(presence.online().result()).containsExactly("alice");
    assertThat(presence.disconnect("alice", "c1").result()).isFalse();
    assertThat(presence.online().result()).containsExactly("alice");
    assertThat(presence.disconnect("alice", "c2").result()).isTrue();
    assertThat(presence.online().result()).isEmpty();
    assertThat(presence.disconnect("alice", "c2").result()).as("closing twice changes nothing").isFalse();
  }
}
