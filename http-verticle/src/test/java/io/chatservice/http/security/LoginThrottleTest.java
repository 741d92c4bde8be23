package io.chatservice.http.security;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The throttle's rules on a hand-driven clock, so lockouts of minutes take no time. */
@DisplayName("The login and registration throttle")
class LoginThrottleTest {

  private static final String HOME = "192.0.2.1";
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final LoginThrottle throttle = new LoginThrottle(LoginThrottle.Policy.of(10, 30), now::get);

  @Test
  @DisplayName("Five failures of a username are free; then 1 s, 2 s, 4 s ... up to 15 min, whatever the address")
  void usernameLockoutDoubles() {
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.beginLogin("alice", "198.51.100." + i)).as("attempt %d", i + 1).isZero();
    }
    assertThat(throttle.beginLogin("alice", "203.0.113.9")).isEqualTo(Duration.ofSeconds(1));
    long[] expectedSeconds = {2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900};
    for (long seconds : expectedSeconds) {
      Duration wait = throttle.beginLogin("alice", HOME);
      now.addAndGet(wait.toMillis());
      assertThat(throttle.beginLogin("alice", "203.0.113." + seconds % 200)).as("after the lockout ends").isZero();
      assertThat(throttle.beginLogin("alice", HOME)).isEqualTo(Duration.ofSeconds(seconds));
    }
    assertThat(throttle.beginLogin("bob", HOME)).as("another username").isZero();
  }

  @Test
  @DisplayName("A success clears the username's failures and gives the address its attempt back")
  void successResets() {
    for (int i = 0; i < 5; i++) {
      throttle.beginLogin("alice", HOME);
    }
    now.addAndGet(1000);
    assertThat(throttle.beginLogin("alice", HOME)).isZero();
    throttle.loginSucceeded("alice", HOME);
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.beginLogin("alice", HOME)).as("failure %d after the reset", i + 1).isZero();
    }
  }

  @Test
  @DisplayName("Attempts count when they start: parallel guesses cannot all slip through before the first failure is known")
  void parallelAttemptsCount() {
    int admitted = 0;
    for (int i = 0; i < 100; i++) {
      admitted += throttle.beginLogin("alice", "198.51.100." + i).isZero() ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(5);
  }

  @Test
  @DisplayName("An address rotating usernames gets 30 failed logins per 10 minutes, counted from the first")
  void addressLimitCatchesUsernameRotation() {
    for (int i = 0; i < 30; i++) {
      assertThat(throttle.beginLogin("user" + i, HOME)).isZero();
      now.addAndGet(1000);
    }
    assertThat(throttle.beginLogin("user30", HOME)).isEqualTo(Duration.ofMinutes(10).minusSeconds(30));
    assertThat(throttle.beginLogin("user30", "192.0.2.2")).as("another address").isZero();
    now.addAndGet(Duration.ofMinutes(10).minusSeconds(30).toMillis());
    assertThat(throttle.beginLogin("user31", HOME)).as("a new window").isZero();
  }

  @Test
  @DisplayName("10 registrations per address and hour; the 11th waits for the window to end")
  void registrations() {
    for (int i = 0; i < 10; i++) {
      assertThat(throttle.beginRegistration(HOME)).isZero();
    }
    assertThat(throttle.beginRegistration(HOME)).isEqualTo(Duration.ofHours(1));
    assertThat(throttle.beginRegistration("192.0.2.2")).isZero();
    now.addAndGet(Duration.ofHours(1).toMillis());
    assertThat(throttle.beginRegistration(HOME)).isZero();
  }

  @Test
  @DisplayName("Memory is bounded: a million usernames from a million addresses leave at most the cap per table, and idle entries are forgotten")
  void boundedMemory() {
    LoginThrottle.Policy shipped = LoginThrottle.Policy.of(10, 30);
    LoginThrottle.Policy small = new LoginThrottle.Policy(shipped.freeFailures(), shipped.firstLockout(), shipped.maxLockout(),
      shipped.failuresPerAddress(), shipped.failureWindow(), shipped.registrationsPerAddress(), shipped.registrationWindow(),
      shipped.forgetUsersAfter(), 1000);
    LoginThrottle capped = new LoginThrottle(small, now::get);
    for (int i = 0; i < 1_000_000; i++) {
      String address = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
      capped.beginLogin("u" + i, address);
      capped.beginRegistration(address);
    }
    assertThat(capped.trackedKeys()).isEqualTo(3 * 1000);
    // The most recent keys are the ones kept: the last username is still counted.
    for (int i = 0; i < 4; i++) {
      capped.beginLogin("u999999", "192.0.2." + i);
    }
    assertThat(capped.beginLogin("u999999", "192.0.2.9")).isEqualTo(Duration.ofSeconds(1));

    now.addAndGet(Duration.ofHours(1).toMillis());
    capped.forgetIdle();
    assertThat(capped.trackedKeys()).isZero();
  }

  @Test
  @DisplayName("Forgetting keeps what still restricts somebody: a running lockout and an unfinished window")
  void forgetKeepsActiveEntries() {
    for (int i = 0; i < 5; i++) {
      throttle.beginLogin("alice", "198.51.100." + i);
    }
    for (int i = 0; i < 30; i++) {
      throttle.beginLogin("user" + i, HOME);
    }
    throttle.forgetIdle();
    assertThat(throttle.beginLogin("alice", "198.51.100.9")).as("alice is still locked").isPositive();
    assertThat(throttle.beginLogin("carol", HOME)).as("the address window still runs").isPositive();
  }
}
