package io.chatservice.http.connection;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.NodeConfig.LimitsConfig;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.ops.ChatMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * This node's open connections of every transport: the per-user limit,
 * presence, the idle sweep, and closing everyone at shutdown. Confined to
 * the edge verticle's event loop.
 */
public final class ConnectionRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);
  /** At shutdown, closed per tick, so thousands of closes never stall the event loop. */
  static final int CLOSE_BATCH = 500;

  private final Vertx vertx;
  private final DomainClient domain;
  private final LimitsConfig limits;
  private final Set<ClientConnection> open = new LinkedHashSet<>();
  private final Map<String, Integer> perUser = new HashMap<>();
  private final Map<String, Integer> byTransport = new java.util.concurrent.ConcurrentHashMap<>();
  private final ChatMeters meters;
  private static final List<String> TRANSPORTS = List.of("sockjs", "websocket", "sse");

  public ConnectionRegistry(Vertx vertx, DomainClient domain, LimitsConfig limits, ChatMeters meters) {
    this.vertx = vertx;
    this.domain = domain;
    this.limits = limits;
    this.meters = meters;
    for (String transport : TRANSPORTS) {
      meters.connections(transport, () -> byTransport.getOrDefault(transport, 0));
    }
    if (limits.idleTimeoutEnabled()) {
      long every = Math.max(1000, Math.min(limits.idleTimeout().toMillis() / 4, 15_000));
      vertx.setPeriodic(every, id -> closeIdle());
    }
  }

  public boolean hasRoomFor(String user) {
    return perUser.getOrDefault(user, 0) < limits.maxConnectionsPerUser();
  }

  /** Counts the connection and makes its user present; false (and nothing counted) when the user is at the limit. */
  public boolean opened(ClientConnection connection) {
    if (!hasRoomFor(connection.user())) {
      return false;
    }
    open.add(connection);
    perUser.merge(connection.user(), 1, Integer::sum);
    byTransport.merge(connection.transport(), 1, Integer::sum);
    domain.notify(ChatAddresses.PRESENCE_CONNECT, presence(connection));
    return true;
  }

  /** Idempotent: transports may report a close more than once. */
  public void closed(ClientConnection connection) {
    if (!open.remove(connection)) {
      return;
    }
    perUser.computeIfPresent(connection.user(), (user, count) -> count == 1 ? null : count - 1);
    byTransport.computeIfPresent(connection.transport(), (transport, count) -> count - 1);
    domain.notify(ChatAddresses.PRESENCE_DISCONNECT, presence(connection));
  }

  /** Counts a close the server decided, by reason, for /metrics. */
  public void closing(CloseReason reason) {
    meters.disconnected(reason);
  }

  public int size() {
    return open.size();
  }

  /** Closes every connection, a batch per event-loop turn; completes when all were told. */
  public Future<Void> closeAll(CloseReason reason) {
    List<ClientConnection> all = new ArrayList<>(open);
    LOG.info("Closing {} connection(s): {}", all.size(), reason.error);
    Promise<Void> done = Promise.promise();
    closeBatch(all, 0, reason, done);
    return done.future();
  }

  private void closeBatch(List<ClientConnection> all, int from, CloseReason reason, Promise<Void> done) {
    int to = Math.min(all.size(), from + CLOSE_BATCH);
    for (int i = from; i < to; i++) {
      all.get(i).close(reason);
    }
    if (to >= all.size()) {
      done.complete();
    } else {
      vertx.runOnContext(v -> closeBatch(all, to, reason, done));
    }
  }

  private void closeIdle() {
    long cutoff = System.currentTimeMillis() - limits.idleTimeout().toMillis();
    open.stream().filter(c -> c.lastActive() < cutoff).toList().forEach(c -> c.close(CloseReason.IDLE));
  }

  private static JsonObject presence(ClientConnection connection) {
    return new JsonObject().put("user", connection.user()).put("connection", connection.id());
  }
}
