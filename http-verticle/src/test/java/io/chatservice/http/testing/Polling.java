package io.chatservice.http.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for a condition from a test thread, for process tests that watch nodes from outside. */
public final class Polling {

  private static final long POLL_MS = 50;

  private Polling() {
  }

  /** Polls every 50 ms until the condition holds (true) or the time is up (false). */
  public static boolean waitUntil(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (elapsedMs(start) > timeoutMs) {
        return false;
      }
      Thread.sleep(POLL_MS);
    }
    return true;
  }

  /** Milliseconds since a {@link System#nanoTime()} reading. */
  public static long elapsedMs(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }
}
