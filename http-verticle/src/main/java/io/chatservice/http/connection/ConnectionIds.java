package io.chatservice.http.connection;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection ids, unique within this process: all presence needs, as the
 * cluster-wide presence keys a connection by its node's id and this one. A
 * counter held as a long, rather than a random UUID string (~80 bytes) held
 * by every connection.
 */
public final class ConnectionIds {

  private static final AtomicLong LAST = new AtomicLong();

  private ConnectionIds() {
  }

  public static long next() {
    return LAST.incrementAndGet();
  }
}
