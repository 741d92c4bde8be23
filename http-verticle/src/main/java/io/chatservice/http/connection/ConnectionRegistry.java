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
import java.util.function.Consumer;

/**
 * This node's open connections of every transport: the per-user limit,
 * presence, the idle sweep, heartbeats, and closing everyone at shutdown.
 * Confined to the edge verticle's event loop.
 */
public final class ConnectionRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);
  /** Connections pinged or closed per event-loop turn, so thousands of them never stall the event loop. */
  static final int BATCH = 500;

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
    // One timer for the node rather than one per connection (~180 bytes of timer state each).
    vertx.setPeriodic(limits.pingInterval().toMillis(), id -> heartbeat());
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
    LOG.info("Closing {} connection(s): {}", open.size(), reason.error);
    return inBatches(connection -> connection.close(reason));
  }

  /** Every ping interval: each connection pings its peer or finds it gone. */
  private void heartbeat() {
    long now = System.currentTimeMillis();
    inBatches(connection -> connection.heartbeat(now));
  }

  /** Applies the action to every connection open now, a batch per event-loop turn. */
  private Future<Void> inBatches(Consumer<ClientConnection> action) {
    Promise<Void> done = Promise.promise();
    batch(new ArrayList<>(open), 0, action, done);
    return done.future();
  }

  private void batch(List<ClientConnection> all, int from, Consumer<ClientConnection> action, Promise<Void> done) {
    int to = Math.min(all.size(), from + BATCH);
    for (int i = from; i < to; i++) {
      action.accept(all.get(i));
    }
    if (to >= all.size()) {
      done.complete();
    } else {
      vertx.runOnContext(v -> batch(all, to, action, done));
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
