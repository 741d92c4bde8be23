package io.chatservice.http;

import io.chatservice.chat.ChatConfig;
import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.security.WebOrigin;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;

/** The node launcher: {@code java -jar chat-node.jar [options]}. */
@Command(name = "chat-node", mixinStandardHelpOptions = true, sortOptions = false,
  description = "Starts a chat node. Every option can also be set by an environment variable: "
    + "CHAT_ and the option name in upper case with _ for - (--db-url -> CHAT_DB_URL).",
  version = "chat-node 0.1.0")
public final class ChatNode implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ChatNode.class);
  static final String ENV_PREFIX = "CHAT_";
  private static final int SHUTDOWN_SECONDS = 9;
  private static final int EDGE_STOP_SECONDS = 5;
  private static final int START_SECONDS = 120;

  @Option(names = "--http-port", paramLabel = "<n>", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--http-host", paramLabel = "<addr>", defaultValue = "0.0.0.0", description = "HTTP bind address (default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--cluster", description = "Join a Hazelcast cluster.")
  boolean cluster;

  @Option(names = "--cluster-host", paramLabel = "<addr>", defaultValue = "127.0.0.1", description = "Address this node's cluster member binds and advertises (default: ${DEFAULT-VALUE}).")
  String clusterHost;

  @Option(names = "--cluster-port", paramLabel = "<n>", defaultValue = "5701", description = "Hazelcast port (default: ${DEFAULT-VALUE}).")
  int clusterPort;

  @Option(names = "--cluster-members", paramLabel = "<host[:port],...>", split = ",", description = "TCP/IP join list (default: this host).")
  List<String> clusterMembers;

  @Option(names = "--k8s-service", paramLabel = "<dns-name>", description = "Kubernetes DNS discovery through this headless Service instead of a member list.")
  String k8sService;

  @Option(names = "--eventbus-host", paramLabel = "<addr>", description = "Address the event bus binds (default: the cluster host).")
  String eventBusHost;

  @Option(names = "--eventbus-port", paramLabel = "<n>", defaultValue = "0", description = "Event-bus port (default: any free port; fix it on Kubernetes).")
  int eventBusPort;

  @Option(names = "--public-host", paramLabel = "<addr>", description = "Address other nodes reach this one at (default: the cluster host).")
  String publicHost;

  @Option(names = "--min-cluster-size", paramLabel = "<n>", defaultValue = "1", description = "Serve only while at least this many "
    + "cluster members, this one included, see each other; below it the node is not ready, refuses requests and tells its "
    + "clients to reconnect elsewhere (default: ${DEFAULT-VALUE}, always serve).")
  int minClusterSize;

  @Option(names = "--db-url", paramLabel = "<jdbc-url>", defaultValue = DatabaseConfig.DEFAULT_URL, description = "JDBC URL (default: embedded H2 under ./data).")
  String dbUrl;

  @Option(names = "--db-user", paramLabel = "<user>", defaultValue = "", description = "Database user.")
  String dbUser;

  @Option(names = "--db-password", paramLabel = "<password>", defaultValue = "", description = "Database password.")
  String dbPassword;

  @Option(names = "--db-pool-size", paramLabel = "<n>", defaultValue = "8", description = "Database connections (default: ${DEFAULT-VALUE}).")
  int dbPoolSize;

  @Option(names = "--jwt-secret", paramLabel = "<secret>", description = "HMAC secret for tokens (default: one created once and kept in the database).")
  String jwtSecret;

  @Option(names = "--guests", description = "Allow password-less guest logins (POST /api/guest).")
  boolean guests;

  @Option(names = "--allowed-origins", paramLabel = "<origin,...>", split = ",", description = "Other sites (https://host[:port]) whose pages may use the session cookie here (default: this node's own origin only).")
  List<String> allowedOrigins;

  @Option(names = "--trust-proxy", description = "Behind a reverse proxy that sets X-Forwarded-For/-Proto/-Host: take the client address and origin from them.")
  boolean trustProxy;

  @Option(names = "--max-registrations-per-hour", paramLabel = "<n>", defaultValue = "10", description = "Registrations and guest logins per client address and hour, per node (default: ${DEFAULT-VALUE}).")
  int maxRegistrationsPerHour;

  @Option(names = "--max-failed-logins-per-address", paramLabel = "<n>", defaultValue = "30", description = "Failed logins per client address in 10 minutes, per node (default: ${DEFAULT-VALUE}).")
  int maxFailedLoginsPerAddress;

  @Option(names = "--max-text-length", paramLabel = "<n>", defaultValue = "4000", description = "Longest message text in characters (default: ${DEFAULT-VALUE}).")
  int maxTextLength;

  @Option(names = "--idle-timeout", paramLabel = "<seconds>", defaultValue = "300", description = "Close a connection that sent nothing for this long; 0 = never (default: ${DEFAULT-VALUE}).")
  int idleTimeoutSeconds;

  @Option(names = "--ping-interval", paramLabel = "<seconds>", defaultValue = "25", description = "WebSocket ping / SockJS heartbeat / SSE keep-alive interval (default: ${DEFAULT-VALUE}).")
  int pingIntervalSeconds;

  @Option(names = "--max-outbound-buffer", paramLabel = "<bytes>", defaultValue = "1048576", description = "Unsent bytes a connection may hold before it is cut off as a slow consumer (default: ${DEFAULT-VALUE}).")
  int maxOutboundBytes;

  @Option(names = "--max-frame-size", paramLabel = "<bytes>", defaultValue = "65536", description = "Largest inbound WebSocket/SockJS frame or body (default: ${DEFAULT-VALUE}).")
  int maxFrameBytes;

  @Option(names = "--send-rate", paramLabel = "<per-second>", defaultValue = "10", description = "Messages a user may send per second, on average, per node (default: ${DEFAULT-VALUE}).")
  double sendRate;

  @Option(names = "--send-burst", paramLabel = "<n>", defaultValue = "20", description = "Messages a user may send at once before --send-rate applies (default: ${DEFAULT-VALUE}).")
  int sendBurst;

  @Option(names = "--max-connections-per-user", paramLabel = "<n>", defaultValue = "20", description = "Open connections one user may hold on a node (default: ${DEFAULT-VALUE}).")
  int maxConnectionsPerUser;

  @Option(names = "--max-rooms-per-connection", paramLabel = "<n>", defaultValue = "100", description = "Rooms one connection may join (default: ${DEFAULT-VALUE}).")
  int maxRoomsPerConnection;

  @Option(names = "--log-format", paramLabel = "<text|json>", defaultValue = "text", description = "Log lines as text or as one JSON object each (default: ${DEFAULT-VALUE}).")
  Logging.Format logFormat;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ChatNode());
    cli.setDefaultValueProvider(ChatNode::fromEnvironment);
    cli.setParameterExceptionHandler((e, args) -> {
      // One line, as a script or a human reading a container log wants it.
      e.getCommandLine().getErr().println("chat-node: " + e.getMessage() + " (see --help)");
      return 2;
    });
    return cli;
  }

  /** CLI > environment > built-in default: picocli asks this before using the annotated default. */
  private static String fromEnvironment(ArgSpec spec) {
    if (spec instanceof OptionSpec option) {
      String name = option.longestName().replaceFirst("^--", "");
      return System.getenv(ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    Logging.use(logFormat);
    NodeConfig config;
    try {
      config = toConfig();
    } catch (IllegalArgumentException e) {
      System.err.println("chat-node: " + e.getMessage() + " (see --help)");
      return 2;
    }
    NodeDeployment.RunningNode node;
    try {
      node = startNode(config);
    } catch (Exception e) {
      LOG.error("Node failed to start: {}", e.toString());
      return 1;
    }
    stopOnSignal(node);
    new CountDownLatch(1).await();
    return 0;
  }

  /**
   * SIGTERM and SIGINT drain the node, then exit. A signal handler rather than
   * a shutdown hook: JVM shutdown hooks run all at once, and H2's own hook
   * would close the embedded database under the sends still being drained.
   */
  private static void stopOnSignal(NodeDeployment.RunningNode node) {
    AtomicBoolean stopping = new AtomicBoolean();
    SignalHandler handler = signal -> {
      if (stopping.compareAndSet(false, true)) {
        new Thread(() -> {
          stop(node);
          System.exit(0);
        }, "chat-node-shutdown").start();
      }
    };
    Signal.handle(new Signal("TERM"), handler);
    Signal.handle(new Signal("INT"), handler);
  }

  /**
   * The edge first (drains sends, tells clients to reconnect elsewhere), then
   * Vert.x with the domain and the cluster membership. Waited for from this
   * thread: a close completing on Vert.x's own, stopping, event loop could
   * never be observed there.
   */
  private static void stop(NodeDeployment.RunningNode node) {
    long started = System.currentTimeMillis();
    LOG.info("Shutting down");
    await(node.vertx().undeploy(node.edgeDeploymentId()), EDGE_STOP_SECONDS, "edge");
    await(node.vertx().close(), SHUTDOWN_SECONDS - EDGE_STOP_SECONDS, "cluster and domain");
    LOG.info("Stopped in {} ms", System.currentTimeMillis() - started);
  }

  private static void await(Future<?> step, int seconds, String what) {
    try {
      step.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Stopping the {} did not finish cleanly: {}", what, e.toString());
    }
  }

  /**
   * A standalone or clustered Vert.x with the node deployed on it, closed again
   * if deployment fails. Blocking, from the main thread: waiting from here
   * also sees a close whose completion no Vert.x event loop is left to run.
   */
  static NodeDeployment.RunningNode startNode(NodeConfig config) throws Exception {
    NodeRuntime started = NodeRuntime.start(config.cluster()).toCompletionStage().toCompletableFuture()
      .get(START_SECONDS, TimeUnit.SECONDS);
    try {
      return NodeDeployment.deploy(started, config)
        .toCompletionStage().toCompletableFuture().get(START_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      await(started.vertx().close(), SHUTDOWN_SECONDS, "half-started node");
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  NodeConfig toConfig() {
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be 0..65535, not " + httpPort);
    }
    if (maxTextLength < 1) {
      throw new IllegalArgumentException("--max-text-length must be at least 1");
    }
    if (dbPoolSize < 1) {
      throw new IllegalArgumentException("--db-pool-size must be at least 1");
    }
    if (clusterPort < 1 || clusterPort > 65535 || eventBusPort < 0 || eventBusPort > 65535) {
      throw new IllegalArgumentException("--cluster-port must be 1..65535 and --eventbus-port 0..65535");
    }
    if (idleTimeoutSeconds < 0 || pingIntervalSeconds < 1 || maxOutboundBytes < 1024 || maxFrameBytes < 1024
      || sendRate <= 0 || sendBurst < 1 || maxConnectionsPerUser < 1 || maxRoomsPerConnection < 1) {
      throw new IllegalArgumentException("limits must be positive (--idle-timeout may be 0; buffers and frames at least 1024 bytes)");
    }
    if (jwtSecret != null && !jwtSecret.isBlank() && jwtSecret.getBytes(StandardCharsets.UTF_8).length < TokenAuth.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("--jwt-secret must be at least " + TokenAuth.MIN_SECRET_BYTES + " bytes (UTF-8), not "
        + jwtSecret.getBytes(StandardCharsets.UTF_8).length + "; e.g. openssl rand -base64 48");
    }
    if (maxRegistrationsPerHour < 1 || maxFailedLoginsPerAddress < 1) {
      throw new IllegalArgumentException("--max-registrations-per-hour and --max-failed-logins-per-address must be at least 1");
    }
    List<String> origins = allowedOrigins == null ? List.of() : allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    origins.stream().filter(origin -> !WebOrigin.isPlainOrigin(origin)).findFirst().ifPresent(origin -> {
      throw new IllegalArgumentException("--allowed-origins: " + origin + " is not an origin like https://chat.example.com[:port]");
    });
    if (minClusterSize < 1 || (minClusterSize > 1 && !cluster)) {
      throw new IllegalArgumentException("--min-cluster-size must be at least 1, and above 1 only with --cluster");
    }
    List<String> members = clusterMembers == null ? List.of() : clusterMembers.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    return new NodeConfig(
      new NodeConfig.HttpConfig(httpHost, httpPort, NodeConfig.HttpConfig.DEFAULT_MAX_BODY_BYTES),
      new NodeConfig.LimitsConfig(Duration.ofSeconds(idleTimeoutSeconds), Duration.ofSeconds(pingIntervalSeconds),
        maxOutboundBytes, maxFrameBytes, sendRate, sendBurst, maxConnectionsPerUser, maxRoomsPerConnection),
      new NodeConfig.ClusterConfig(cluster, clusterHost, clusterPort, members, Optional.ofNullable(blankToNull(k8sService)),
        Optional.ofNullable(blankToNull(eventBusHost)).orElse(clusterHost), eventBusPort,
        Optional.ofNullable(blankToNull(publicHost)).orElse(clusterHost), minClusterSize),
      new DatabaseConfig(dbUrl, dbUser, dbPassword, dbPoolSize),
      Optional.ofNullable(blankToNull(jwtSecret)),
      guests,
      new ChatConfig(new TextRules(maxTextLength), ChatConfig.DEFAULT_BCRYPT_COST),
      new NodeConfig.SecurityConfig(origins, trustProxy, maxRegistrationsPerHour, maxFailedLoginsPerAddress));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
