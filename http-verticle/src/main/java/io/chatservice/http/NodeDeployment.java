package io.chatservice.http;

import io.chatservice.chat.AccountVerticle;
import io.chatservice.chat.ChatVerticle;
import io.chatservice.chat.PresenceVerticle;
import io.chatservice.chat.persistence.Database;
import io.chatservice.chat.persistence.SettingsRepository;
import io.chatservice.chat.presence.HazelcastPresence;
import io.chatservice.chat.presence.LocalPresence;
import io.chatservice.chat.presence.Presence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Brings a node up on a Vert.x instance: schema, pool, token secret, then the
 * domain verticles before the edge, so the edge never serves a request the
 * domain cannot answer yet.
 */
public final class NodeDeployment {

  private static final Logger LOG = LoggerFactory.getLogger(NodeDeployment.class);
  private static final String JWT_SECRET_SETTING = "jwt_secret";

  /** The running node: where it listens and what to close. */
  public record RunningNode(Vertx vertx, int httpPort, String edgeDeploymentId) {
  }

  private NodeDeployment() {
  }

  /** Deploys on a standalone or a clustered runtime. */
  public static Future<RunningNode> deploy(NodeRuntime runtime, NodeConfig config) {
    Vertx vertx = runtime.vertx();
    HazelcastClusterManager cluster = runtime.clusterManager();
    Presence presence = cluster == null ? new LocalPresence()
      : new HazelcastPresence(cluster.getHazelcastInstance(), cluster.getNodeId());
    return Database.open(vertx, config.database()).compose(pool -> jwtSecret(pool, config)
      .compose(secret -> vertx.deployVerticle(new AccountVerticle(pool, config.chat()))
        .compose(id -> vertx.deployVerticle(new ChatVerticle(pool, config.database(), config.chat())))
        .compose(id -> vertx.deployVerticle(new PresenceVerticle(presence)))
        .compose(id -> {
          HttpVerticle http = new HttpVerticle(config, secret, runtime);
          return vertx.deployVerticle(http).map(deploymentId -> new RunningNode(vertx, http.actualPort(), deploymentId));
        }))
      .onSuccess(node -> LOG.info("Chat node listening on http://{}:{}/ (database {}{}, {} transport)", config.http().host(),
        node.httpPort(), config.database().describe(), cluster == null ? "" : ", clustered",
        vertx.isNativeTransportEnabled() ? "epoll" : "NIO")));
  }

  /** The configured secret, or the one every node sharing this database agrees on. */
  private static Future<String> jwtSecret(io.vertx.sqlclient.Pool pool, NodeConfig config) {
    if (config.jwtSecret().isPresent()) {
      return Future.succeededFuture(config.jwtSecret().get());
    }
    return new SettingsRepository(pool).getOrCreate(JWT_SECRET_SETTING, () -> {
      byte[] bytes = new byte[48];
      new SecureRandom().nextBytes(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    });
  }
}
