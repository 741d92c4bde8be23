package io.chatservice.http.connection;

/** The classic token bucket: {@code burst} at once, then {@code ratePerSecond} on average. */
final class TokenBucket {

  private final double ratePerMs;
  private final double burst;
  private double tokens;
  private long refilledAt;

  TokenBucket(double ratePerSecond, int burst, long now) {
    this.ratePerMs = ratePerSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = now;
  }

  boolean tryTake(long now) {
    refill(now);
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Full buckets carry no state worth keeping. */
  boolean isFull(long now) {
    refill(now);
    return tokens >= burst;
  }

  private void refill(long now) {
    tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerMs);
    refilledAt = now;
  }
}
