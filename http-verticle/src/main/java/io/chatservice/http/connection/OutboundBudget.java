package io.chatservice.http.connection;

import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * Bytes written to one connection but not yet handed to the network. A
 * client that stops reading makes this grow; past the limit the connection is
 * cut instead of the server's memory growing.
 */
public final class OutboundBudget {

  private final long limit;
  private long pending;

  public OutboundBudget(long limit) {
    this.limit = limit;
  }

  /** Writes unless that would exceed the limit; false means: close as a slow consumer. */
  public boolean write(int chars, Supplier<Future<Void>> write) {
    if (pending + chars > limit) {
      return false;
    }
    pending += chars;
    write.get().onComplete(done -> pending -= chars);
    return true;
  }
}
