package io.chatservice.chat.presence;

import io.vertx.core.Future;

import java.util.Set;

/**
 * Who is online, keyed by connection: a user stays online until their last
 * connection closes. Each call answers whether the user's state changed.
 */
public interface Presence {

  /** True when this connection brought the user online. */
  Future<Boolean> connect(String user, String connectionId);

  /** True when this was the user's last connection. */
  Future<Boolean> disconnect(String user, String connectionId);

  Future<Set<String>> online();
}
