package io.chatservice.chat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "No such user" must cost what "wrong password" costs, or login timing tells
 * which usernames exist. Checked by the work done, not the clock: an unknown
 * user's password is verified against a decoy of the same bcrypt cost.
 */
@DisplayName("Password hashing")
class PasswordHasherTest {

  private static final int COST = 6;
  private final PasswordHasher hasher = new PasswordHasher(COST);

  @Test
  @DisplayName("The right password verifies, a wrong one does not")
  void verifies() {
    String hash = hasher.hash("correct horse battery");
    assertThat(hasher.verify("correct horse battery", hash)).isTrue();
    assertThat(hasher.verify("wrong horse battery", hash)).isFalse();
  }

  @Test
  @DisplayName("An unknown user (no hash) never verifies, and is checked against a decoy of the configured cost")
  void unknownUserCostsAFullCheck() {
    assertThat(hasher.verify("decoy password, never matches", null)).as("not even the decoy's own password").isFalse();
    // "$2b$06$...": the cost is the second field, as in every real hash.
    assertThat(hasher.decoy()).startsWith("$2b$06$");
    assertThat(hasher.decoy().substring(0, 7)).isEqualTo(hasher.hash("any").substring(0, 7));
  }

  @Test
  @DisplayName("Passwords longer than bcrypt's 72 bytes are not truncated")
  void longPasswordsAreNotTruncated() {
    String base = "x".repeat(72);
    String hash = hasher.hash(base + "a");
    assertThat(hasher.verify(base + "a", hash)).isTrue();
    assertThat(hasher.verify(base + "b", hash)).isFalse();
  }
}
