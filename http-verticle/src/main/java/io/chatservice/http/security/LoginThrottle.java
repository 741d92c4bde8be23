package io.chatservice.http.security;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Brakes on password guessing and sign-up spam, asked before any bcrypt work
 * is requested. Per username: after {@code freeFailures} consecutive failures
 * a lockout of {@code firstLockout}, doubling with each further failure up to
 * {@code maxLockout}; a success clears it. Per client address: at most
 * {@code failuresPerAddress} failed logins and {@code registrationsPerAddress}
 * registrations (guests included) per window, counted from the first.
 * An attempt is counted when it starts (so parallel guesses cannot all slip
 * through before the first failure is known) and given back if it succeeds.
 * State is per node and in memory: each table keeps at most
 * {@code maxTrackedKeys} keys, dropping the least recently used, and
 * {@link #forgetIdle()} drops what no longer restricts anybody.
 */
public final class LoginThrottle {

  public record Policy(int freeFailures, Duration firstLockout, Duration maxLockout,
                       int failuresPerAddress, Duration failureWindow,
                       int registrationsPerAddress, Duration registrationWindow,
                       Duration forgetUsersAfter, int maxTrackedKeys) {

    public static Policy of(int registrationsPerHour, int failedLoginsPerAddress) {
      return new Policy(5, Duration.ofSeconds(1), Duration.ofMinutes(15),
        failedLoginsPerAddress, Duration.ofMinutes(10),
        registrationsPerHour, Duration.ofHours(1),
        Duration.ofHours(1), 50_000);
    }
  }

  /** Consecutive failures of one username and until when it is locked. */
  private static final class UserFailures {
    int failures;
    long lockedUntil;
    long lastAttempt;
  }

  /** Attempts from one address in the window that started at {@code windowStart}. */
  private static final class WindowCount {
    int count;
    long windowStart;
  }

  private final Policy policy;
  private final LongSupplier clockMillis;
  private final Map<String, UserFailures> users;
  private final Map<String, WindowCount> addressFailures;
  private final Map<String, WindowCount> registrations;

  public LoginThrottle(Policy policy) {
    this(policy, System::currentTimeMillis);
  }

  public LoginThrottle(Policy policy, LongSupplier clockMillis) {
    this.policy = policy;
    this.clockMillis = clockMillis;
    this.users = lruMap(policy.maxTrackedKeys());
    this.addressFailures = lruMap(policy.maxTrackedKeys());
    this.registrations = lruMap(policy.maxTrackedKeys());
  }

  /**
   * A login for {@code userKey} (null when the name is not even a username)
   * from {@code address}: zero when it may go ahead, and it is counted as a
   * failure until {@link #loginSucceeded}; else how long to wait.
   */
  public synchronized Duration beginLogin(String userKey, String address) {
    long now = clockMillis.getAsLong();
    UserFailures known = userKey == null ? null : users.get(userKey);
    long userWait = known == null ? 0 : known.lockedUntil - now;
    long addressWait = windowWait(addressFailures, address, policy.failuresPerAddress(), policy.failureWindow(), now);
    long wait = Math.max(userWait, addressWait);
    if (wait > 0) {
      return Duration.ofMillis(wait);
    }
    count(addressFailures, address, policy.failureWindow(), now);
    if (userKey != null) {
      UserFailures user = users.computeIfAbsent(userKey, key -> new UserFailures());
      user.lastAttempt = now;
      user.failures++;
      if (user.failures >= policy.freeFailures()) {
        user.lockedUntil = now + lockout(user.failures - policy.freeFailures());
      }
    }
    return Duration.ZERO;
  }

  /** The password was right: the username's record is cleared and the address gets its attempt back. */
  public synchronized void loginSucceeded(String userKey, String address) {
    if (userKey != null) {
      users.remove(userKey);
    }
    WindowCount failures = addressFailures.get(address);
    if (failures != null && failures.count > 0) {
      failures.count--;
    }
  }

  /** A registration or guest login from {@code address}: zero when it may go ahead (and is counted), else how long to wait. */
  public synchronized Duration beginRegistration(String address) {
    long now = clockMillis.getAsLong();
    long wait = windowWait(registrations, address, policy.registrationsPerAddress(), policy.registrationWindow(), now);
    if (wait > 0) {
      return Duration.ofMillis(wait);
    }
    count(registrations, address, policy.registrationWindow(), now);
    return Duration.ZERO;
  }

  /** Drops entries that restrict nobody any more: ended windows, usernames idle for {@code forgetUsersAfter} and not locked. */
  public synchronized void forgetIdle() {
    long now = clockMillis.getAsLong();
    removeIf(users, user -> user.lockedUntil <= now && now - user.lastAttempt >= policy.forgetUsersAfter().toMillis());
    removeIf(addressFailures, window -> now - window.windowStart >= policy.failureWindow().toMillis());
    removeIf(registrations, window -> now - window.windowStart >= policy.registrationWindow().toMillis());
  }

  /** Keys held in all tables together; at most three times {@code maxTrackedKeys}. */
  public synchronized int trackedKeys() {
    return users.size() + addressFailures.size() + registrations.size();
  }

  /** 1 s, 2 s, 4 s, ... for the first, second, third failure past the free ones, at most maxLockout. */
  private long lockout(int extraFailures) {
    // Capped shift: the doubling reaches any sane maximum long before 2^30 and cannot overflow.
    return Math.min(policy.maxLockout().toMillis(), policy.firstLockout().toMillis() << Math.min(extraFailures, 30));
  }

  private static long windowWait(Map<String, WindowCount> table, String key, int limit, Duration window, long now) {
    WindowCount count = table.get(key);
    if (count == null || now - count.windowStart >= window.toMillis() || count.count < limit) {
      return 0;
    }
    return count.windowStart + window.toMillis() - now;
  }

  private static void count(Map<String, WindowCount> table, String key, Duration window, long now) {
    WindowCount count = table.computeIfAbsent(key, k -> new WindowCount());
    if (count.count == 0 || now - count.windowStart >= window.toMillis()) {
      count.count = 0;
      count.windowStart = now;
    }
    count.count++;
  }

  private static <V> void removeIf(Map<String, V> table, Predicate<V> idle) {
    Iterator<V> values = table.values().iterator();
    while (values.hasNext()) {
      if (idle.test(values.next())) {
        values.remove();
      }
    }
  }

  /** Access-ordered and capped: past {@code max} keys the least recently used one goes. */
  private static <V> Map<String, V> lruMap(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
