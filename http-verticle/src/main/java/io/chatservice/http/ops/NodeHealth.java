package io.chatservice.http.ops;

import io.chatservice.chat.api.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Liveness and readiness on vertx-health-check. Ready means: not shutting
 * down, the database answers, and when clustered the node is a member and a
 * canary request really crosses the event bus to another node and back.
 */
public final class NodeHealth {

  private static final long CHECK_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final HazelcastClusterManager cluster;
  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private int canaryTurn;

  public NodeHealth(Vertx vertx, HazelcastClusterManager cluster, BooleanSupplier draining) {
    this.vertx = vertx;
    this.cluster = cluster;
    // Alive as long as the event loop answers: this handler running proves it.
    this.liveness = HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
    this.readiness = HealthChecks.create(vertx)
      .register("accepting", promise -> promise.complete(draining.getAsBoolean()
        ? Status.KO(new JsonObject().put("reason", "shutting down")) : Status.OK()))
      .register("database", CHECK_TIMEOUT_MS, this::database);
    if (cluster != null) {
      readiness.register("cluster", promise -> promise.complete(cluster.isActive()
        && cluster.getHazelcastInstance().getLifecycleService().isRunning()
        ? Status.OK(new JsonObject().put("members", cluster.getNodes().size())) : Status.KO()));
      readiness.register("event-bus", CHECK_TIMEOUT_MS, this::canary);
    }
  }

  public HealthChecks liveness() {
    return liveness;
  }

  public HealthChecks readiness() {
    return readiness;
  }

  /** Answers other nodes' canaries; its address is this node's id, so the cluster knows where it lives. */
  public Future<Void> listen() {
    if (cluster == null) {
      return Future.succeededFuture();
    }
    MessageConsumer<String> consumer = vertx.eventBus().consumer(canaryAddress(cluster.getNodeId()), msg -> msg.reply("pong"));
    return consumer.completion();
  }

  /**
   * The domain pings the database; the request gives up with the check, so a
   * database that does not answer leaves no requests piling up behind probes.
   */
  private void database(Promise<Status> promise) {
    vertx.eventBus().request(ChatAddresses.HEALTH, new JsonObject(),
        new DeliveryOptions().setSendTimeout(CHECK_TIMEOUT_MS).setLocalOnly(true))
      // tryComplete: the check's own timeout may have answered already.
      .onComplete(done -> promise.tryComplete(done.succeeded() ? Status.OK()
        : Status.KO(new JsonObject().put("reason", String.valueOf(done.cause().getMessage())))));
  }

  /** Asks another member, in turn, to answer; alone in the cluster, asks itself. */
  private void canary(Promise<Status> promise) {
    List<String> nodes = cluster.getNodes().stream().filter(id -> !id.equals(cluster.getNodeId())).sorted().toList();
    String target = nodes.isEmpty() ? cluster.getNodeId() : nodes.get(Math.floorMod(canaryTurn++, nodes.size()));
    // tryComplete: the health check's own timeout, as long as the request's, may have answered first.
    vertx.eventBus().request(canaryAddress(target), "ping", new DeliveryOptions().setSendTimeout(CHECK_TIMEOUT_MS))
      .onComplete(done -> promise.tryComplete(done.succeeded()
        ? Status.OK(new JsonObject().put("answeredBy", target))
        : Status.KO(new JsonObject().put("target", target).put("reason", String.valueOf(done.cause().getMessage())))));
  }

  private static String canaryAddress(String nodeId) {
    return ChatAddresses.INTERNAL_PREFIX + "canary." + nodeId;
  }
}
