package io.chatservice.http.testing;

import io.chatservice.chat.ChatConfig;
import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.NodeConfig;
import io.chatservice.http.NodeRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.chatservice.http.NodeDeployment;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.List;
import java.util.Optional;

/** A whole node on a random port over a private database, and helpers to act as its users. */
public final class TestNode {

  /** The lowest bcrypt cost: tests register many users and do not need slow hashing. */
  private static final int TEST_BCRYPT_COST = 4;

  /** The shipped limits, but rate and connections high enough for tests that are not about them. */
  public static final NodeConfig.LimitsConfig GENEROUS_LIMITS = new NodeConfig.LimitsConfig(
    NodeConfig.LimitsConfig.defaults().idleTimeout(), NodeConfig.LimitsConfig.defaults().pingInterval(),
    NodeConfig.LimitsConfig.defaults().maxOutboundBytes(), NodeConfig.LimitsConfig.defaults().maxFrameBytes(),
    1_000_000, 1_000_000, 100_000, NodeConfig.LimitsConfig.defaults().maxRoomsPerConnection());

  /** Same-origin checks as shipped; sign-up and login throttles out of the way of tests that register many users. */
  public static final NodeConfig.SecurityConfig GENEROUS_SECURITY = new NodeConfig.SecurityConfig(List.of(), false, 1_000_000, 1_000_000);

  public final Vertx vertx;
  public final int port;
  public final WebClient client;

  public final String host;
  /** Null for a standalone node. */
  public final HazelcastClusterManager clusterManager;

  private TestNode(Vertx vertx, int port) {
    this(vertx, port, "127.0.0.1", null);
  }

  private TestNode(Vertx vertx, int port, String host, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.port = port;
    this.host = host;
    this.clusterManager = clusterManager;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost(host).setDefaultPort(port));
  }

  public static NodeConfig config(DatabaseConfig database, boolean guests, int maxTextLength) {
    return new NodeConfig(
      new NodeConfig.HttpConfig("127.0.0.1", 0, NodeConfig.HttpConfig.DEFAULT_MAX_BODY_BYTES),
      GENEROUS_LIMITS,
      NodeConfig.ClusterConfig.standalone(),
      database,
      Optional.empty(),
      guests,
      new ChatConfig(new TextRules(maxTextLength), TEST_BCRYPT_COST),
      GENEROUS_SECURITY);
  }

  public static Future<TestNode> start(Vertx vertx) {
    return start(vertx, config(TestDatabases.h2(), false, TextRules.DEFAULT_MAX));
  }

  /** On the test's own Vert.x (no Vert.x metrics; the node's own meters still go to a registry of its own). */
  public static Future<TestNode> start(Vertx vertx, NodeConfig config) {
    NodeRuntime runtime = new NodeRuntime(vertx, null, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    return NodeDeployment.deploy(runtime, config).map(running -> new TestNode(vertx, running.httpPort()));
  }

  /** A node on its own clustered Vert.x, its Hazelcast member bound to {@code host} (a 127.0.0.x address). */
  public static Future<TestNode> startClustered(String host, List<String> members, DatabaseConfig database) {
    NodeConfig config = config(database, false, TextRules.DEFAULT_MAX)
      .withHttp(new NodeConfig.HttpConfig(host, 0, NodeConfig.HttpConfig.DEFAULT_MAX_BODY_BYTES))
      .withCluster(NodeConfig.ClusterConfig.loopback(host, members));
    return NodeRuntime.start(config.cluster()).compose(runtime -> NodeDeployment.deploy(runtime, config)
      .map(running -> new TestNode(runtime.vertx(), running.httpPort(), host, runtime.clusterManager())));
  }

  public Future<Void> close() {
    return vertx.close();
  }

  /** Registers and logs in each user, one after another, with the password "password-" + name; their JWTs in order. */
  public Future<List<String>> registerAndLoginAll(String... usernames) {
    List<String> tokens = new java.util.ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String username : usernames) {
      chain = chain.compose(v -> registerAndLogin(username, "password-" + username)).map(token -> {
        tokens.add(token);
        return null;
      });
    }
    return chain.map(v -> tokens);
  }

  /** Registers a user and logs in; the Future holds the JWT. */
  public Future<String> registerAndLogin(String username, String password) {
    JsonObject credentials = new JsonObject().put("username", username).put("password", password);
    return client.post("/api/register").sendJsonObject(credentials)
      .compose(registered -> client.post("/api/login").sendJsonObject(credentials))
      .map(login -> {
        if (login.statusCode() != 200) {
          throw new IllegalStateException("login of " + username + " failed: " + login.bodyAsString());
        }
        return login.bodyAsJsonObject().getString("token");
      });
  }
}
