package io.chatservice.chat;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.chat.api.Names;
import io.chatservice.chat.api.TextRules;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {

  @Test
  @DisplayName("A dm id is the two lowercased names, sorted, whoever asks")
  void dmIdIsCanonical() {
    assertThat(Names.dmId("Bob", "alice")).isEqualTo("dm:alice:bob");
    assertThat(Names.dmId("alice", "BOB")).isEqualTo("dm:alice:bob");
  }

  @Test
  @DisplayName("Only the canonical spelling of a dm id is an id")
  void otherSpellingsAreNotIds() {
    assertThat(Names.isDmId("dm:alice:bob")).isTrue();
    assertThat(Names.isDmId("dm:bob:alice")).isFalse();
    assertThat(Names.isDmId("dm:Alice:bob")).isFalse();
    assertThat(Names.isDmId("DM:alice:bob")).isFalse();
    assertThat(Names.isDmId("dm:alice:bob ")).isFalse();
    assertThat(Names.isDmId("dm:alice:alice")).isFalse();
    assertThat(Names.isDmId("dm:alice%3Abob")).isFalse();
  }

  @Test
  @DisplayName("Participants are matched case-insensitively, nobody else is one")
  void participants() {
    assertThat(Names.isParticipant("dm:alice:bob", "Alice")).isTrue();
    assertThat(Names.isParticipant("dm:alice:bob", "bob")).isTrue();
    assertThat(Names.isParticipant("dm:alice:bob", "carol")).isFalse();
    assertThat(Names.otherParticipant("dm:alice:bob", "ALICE")).isEqualTo("bob");
  }

  @Test
  @DisplayName("Room names follow the contract's pattern")
  void roomNames() {
    assertThat(Names.isRoomName("general")).isTrue();
    assertThat(Names.isRoomName("a")).isTrue();
    assertThat(Names.isRoomName("x".repeat(32))).isTrue();
    assertThat(Names.isRoomName("x".repeat(33))).isFalse();
    assertThat(Names.isRoomName("-x")).isFalse();
    assertThat(Names.isRoomName("General")).isFalse();
    assertThat(Names.isRoomName("dm:a:b")).isFalse();
  }

  @Test
  @DisplayName("Text length counts code points of the trimmed text")
  void textRules() {
    TextRules rules = new TextRules(3);
    rules.check("  abc  ");
    rules.check("😀😀😀");
    assertThatThrownBy(() -> rules.check("abcd")).satisfies(e -> assertThat(((ChatException) e).error()).isEqualTo(ChatError.TEXT_TOO_LONG));
    assertThatThrownBy(() -> rules.check(" \n\t ")).satisfies(e -> assertThat(((ChatException) e).error()).isEqualTo(ChatError.INVALID_TEXT));
    assertThatThrownBy(() -> rules.check("\u00a0\u202f ")).satisfies(e -> assertThat(((ChatException) e).error()).isEqualTo(ChatError.INVALID_TEXT));
    assertThatThrownBy(() -> rules.check("a\u0000b")).satisfies(e -> assertThat(((ChatException) e).error()).isEqualTo(ChatError.INVALID_TEXT));
    assertThatThrownBy(() -> rules.check("a\ud800")).satisfies(e -> assertThat(((ChatException) e).error()).isEqualTo(ChatError.INVALID_TEXT));
  }
}
