package io.chatservice.http;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.chat.api.Names;
import io.chatservice.chat.api.TextRules;
import io.chatservice.http.testing.HostileInputs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The naming and text rules the domain judges every request by. */
class NamesPropertiesTest {

  private static final TextRules RULES = new TextRules(TextRules.DEFAULT_MAX);

  @Property(tries = 2000)
  @Label("A dm id has exactly one spelling: whatever is accepted is the canonical id of two different users")
  void aDmIdHasOneSpelling(@ForAll("ids") String id) {
    if (Names.isDmId(id)) {
      String[] pair = Names.dmParticipants(id);
      assertThat(Names.isUsername(pair[0]) && Names.isUsername(pair[1])).isTrue();
      assertThat(Names.dmId(pair[1], pair[0])).isEqualTo(id);
      assertThat(pair[0]).isNotEqualTo(pair[1]);
    }
  }

  @Property(tries = 2000)
  @Label("Any respelling of a pair's dm id is not an id, or is the id of another pair: never an alias")
  void respellingsAreNoAlias(@ForAll("usernames") String a, @ForAll("usernames") String b, @ForAll("respellings") UnaryOperator<String> respell) {
    Assume.that(!Names.userKey(a).equals(Names.userKey(b)));
    String canonical = Names.dmId(a, b);
    assertThat(Names.isDmId(canonical)).isTrue();
    assertThat(Names.dmId(b, a)).isEqualTo(canonical);
    String other = respell.apply(canonical);
    if (!other.equals(canonical) && Names.isDmId(other)) {
      assertThat(Set.of(Names.dmParticipants(other))).isNotEqualTo(Set.of(Names.userKey(a), Names.userKey(b)));
    }
    if (Names.isDmId(other)) {
      assertThat(Names.isParticipant(other, a) && Names.isParticipant(other, b)).isEqualTo(other.equals(canonical));
    }
  }

  @Property(tries = 2000)
  @Label("A text passes the rules, or is refused as too long or invalid; what passes is storable and 1..max code points")
  void textIsStorableOrRefused(@ForAll("texts") String text) {
    try {
      RULES.check(text);
      assertThat(text).doesNotContain("\u0000");
      assertThat(text.codePoints().anyMatch(c -> c >= 0xd800 && c <= 0xdfff)).as("lone surrogate").isFalse();
      assertThat(text.strip()).isNotEmpty();
    } catch (ChatException refused) {
      assertThat(refused.error()).isIn(ChatError.INVALID_TEXT, ChatError.TEXT_TOO_LONG);
    }
  }

  @Property(tries = 1000)
  @Label("Usernames and room names are checked without throwing, and room names are never dm ids")
  void namesAreChecked(@ForAll("ids") String name) {
    Names.isUsername(name);
    Names.isPassword(name);
    assertThat(Names.isRoomName(name) && Names.isDmId(name)).isFalse();
  }

  @Provide
  Arbitrary<String> usernames() {
    return Arbitraries.strings().withChars("abcABZz09_.-").ofMinLength(2).ofMaxLength(8);
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(HostileInputs.strings(), usernames().list().ofSize(2).map(p -> "dm:" + p.get(0) + ":" + p.get(1)),
      Arbitraries.strings().withChars("dm:alicebob.-_ AB%").ofMaxLength(20));
  }

  @Provide
  Arbitrary<String> texts() {
    return HostileInputs.strings();
  }

  /** The ways a client might spell someone's dm id differently. */
  @Provide
  Arbitrary<UnaryOperator<String>> respellings() {
    return Arbitraries.of(
      s -> s.toUpperCase(),
      s -> Character.toUpperCase(s.charAt(3)) + s.substring(0, 3) + s.substring(4),
      s -> s.substring(0, 3) + Character.toUpperCase(s.charAt(3)) + s.substring(4),
      s -> " " + s,
      s -> s + " ",
      s -> s + "\u0000",
      s -> s + ".",
      s -> s + "/",
      s -> s + "%20",
      s -> s + "+",
      s -> { String[] p = s.substring(3).split(":"); return "dm:" + p[1] + ":" + p[0]; },
      s -> URLEncoder.encode(s, StandardCharsets.UTF_8),
      s -> URLEncoder.encode(URLEncoder.encode(s, StandardCharsets.UTF_8), StandardCharsets.UTF_8),
      s -> s.replace("a", "%61"),
      s -> s.replace("a", "\u0430"),
      s -> s.replace(":", "\uff1a"),
      s -> s.chars().mapToObj(c -> c >= 'a' && c <= 'z' ? String.valueOf((char) (c - 'a' + '\uff41')) : String.valueOf((char) c))
        .reduce("", String::concat),
      s -> s.replace("dm:", "dm::"),
      s -> s.replace(":", ": "));
  }
}
