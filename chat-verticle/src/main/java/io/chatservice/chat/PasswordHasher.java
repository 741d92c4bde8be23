package io.chatservice.chat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategy;

import java.nio.charset.StandardCharsets;

/**
 * bcrypt with a per-hash salt. Blocking by design (tens of milliseconds):
 * call it from a worker, never an event loop.
 */
final class PasswordHasher {

  private static final BCrypt.Version VERSION = BCrypt.Version.VERSION_2B;
  // Passwords may be 256 characters, more than bcrypt's 72 bytes: pre-hash long ones instead of truncating.
  private static final LongPasswordStrategy LONG_PASSWORDS = LongPasswordStrategies.hashSha512(VERSION);
  // Verifying a made-up hash when the user does not exist keeps "no such user" as slow as "wrong password".
  private final String decoy;
  private final int cost;

  PasswordHasher(int cost) {
    this.cost = cost;
    this.decoy = hash("decoy password, never matches");
  }

  String hash(String password) {
    return BCrypt.with(VERSION, LONG_PASSWORDS).hashToString(cost, password.toCharArray());
  }

  /** The hash an unknown user's password is checked against. */
  String decoy() {
    return decoy;
  }

  boolean verify(String password, String hash) {
    return BCrypt.verifyer(VERSION, LONG_PASSWORDS)
      .verify(password.getBytes(StandardCharsets.UTF_8), (hash == null ? decoy : hash).getBytes(StandardCharsets.UTF_8))
      .verified && hash != null;
  }
}
