package io.chatservice.chat.presence;

import io.vertx.core.Future;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Presence of a single node, held in memory; used by one verticle only, so no locking. */
public final class LocalPresence implements Presence {

  private final Map<String, Set<String>> connectionsByUser = new HashMap<>();

  @Override
  public Future<Boolean> connect(String user, String connectionId) {
    Set<String> connections = connectionsByUser.computeIfAbsent(user, u -> new HashSet<>());
    boolean first = connections.isEmpty();
    connections.add(connectionId);
    return Future.succeededFuture(first);
  }

  @Override
  public Future<Boolean> disconnect(String user, String connectionId) {
    Set<String> connections = connectionsByUser.get(user);
    if (connections == null || !connections.remove(connectionId)) {
      return Future.succeededFuture(false);
    }
    if (connections.isEmpty()) {
      connectionsByUser.remove(user);
      return Future.succeededFuture(true);
    }
    return Future.succeededFuture(false);
  }

  @Override
  public Future<Set<String>> online() {
    return Future.succeededFuture(Set.copyOf(connectionsByUser.keySet()));
  }
}
