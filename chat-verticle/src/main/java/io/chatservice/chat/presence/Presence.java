package io.chatservice.chat.presence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Set;

/**
 * Who is online, keyed by connection: a user stays online until their last
 * connection closes, on whichever node it was. Calls answer whether the
 * user's cluster-wide state changed, so the caller can publish it.
 */
public interface Presence {

  /** Hears users who went offline without a call on this node, e.g. when their node died. */
  interface OfflineListener {
    void wentOffline(String user);
  }

  /** Called once by the owning verticle before any other call. */
  default Future<Void> start(Vertx vertx, OfflineListener listener) {
    return Future.succeededFuture();
  }

  /** True when this connection brought the user online. */
  Future<Boolean> connect(String user, String connectionId);

  /** True when this was the user's last connection anywhere. */
  Future<Boolean> disconnect(String user, String connectionId);

  Future<Set<String>> online();
}
