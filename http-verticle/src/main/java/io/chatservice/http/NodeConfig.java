package io.chatservice.http;

import io.chatservice.chat.ChatConfig;
import io.chatservice.chat.persistence.DatabaseConfig;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything a node is told at start, read once from the command line and environment. */
public record NodeConfig(
  HttpConfig http,
  LimitsConfig limits,
  ClusterConfig cluster,
  DatabaseConfig database,
  Optional<String> jwtSecret,
  boolean guests,
  ChatConfig chat,
  SecurityConfig security) {

  public NodeConfig withHttp(HttpConfig value) {
    return new NodeConfig(value, limits, cluster, database, jwtSecret, guests, chat, security);
  }

  public NodeConfig withLimits(LimitsConfig value) {
    return new NodeConfig(http, value, cluster, database, jwtSecret, guests, chat, security);
  }

  public NodeConfig withCluster(ClusterConfig value) {
    return new NodeConfig(http, limits, value, database, jwtSecret, guests, chat, security);
  }

  public NodeConfig withJwtSecret(String value) {
    return new NodeConfig(http, limits, cluster, database, Optional.of(value), guests, chat, security);
  }

  public NodeConfig withSecurity(SecurityConfig value) {
    return new NodeConfig(http, limits, cluster, database, jwtSecret, guests, chat, value);
  }

  public record HttpConfig(String host, int port, int maxBodyBytes) {
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;
  }

  /** What one client may do and cost: every limit of the edge, in one place. */
  public record LimitsConfig(
    Duration idleTimeout,
    Duration pingInterval,
    int maxOutboundBytes,
    int maxFrameBytes,
    double sendRatePerSecond,
    int sendBurst,
    int maxConnectionsPerUser,
    int maxRoomsPerConnection) {

    public static LimitsConfig defaults() {
      return new LimitsConfig(Duration.ofMinutes(5), Duration.ofSeconds(25), 1024 * 1024, 64 * 1024, 10, 20, 20, 100);
    }

    public boolean idleTimeoutEnabled() {
      return !idleTimeout.isZero();
    }
  }

  /**
   * Hazelcast membership and the event bus. The event-bus host and the public
   * host default to the cluster host, so a node never advertises localhost.
   * Below {@code minSize} members in view (this node included) the node stops
   * serving, so a node cut off into a minority sends its clients elsewhere.
   */
  public record ClusterConfig(boolean enabled, String host, int port, List<String> members, Optional<String> k8sService,
                              String eventBusHost, int eventBusPort, String publicHost, int minSize) {
    public static final int DEFAULT_PORT = 5701;

    public static ClusterConfig standalone() {
      return new ClusterConfig(false, "127.0.0.1", DEFAULT_PORT, List.of(), Optional.empty(), "127.0.0.1", 0, "127.0.0.1", 1);
    }

    /** A loopback cluster member, for tests and local clusters. */
    public static ClusterConfig loopback(String host, List<String> members) {
      return new ClusterConfig(true, host, DEFAULT_PORT, members, Optional.empty(), host, 0, host, 1);
    }
  }

  /**
   * Who may act for a cookie-authenticated user and how hard accounts may be
   * hammered. {@code allowedOrigins} come on top of the node's own origin;
   * {@code trustProxy} makes X-Forwarded-For/-Proto/-Host count (only behind a
   * proxy that sets them).
   */
  public record SecurityConfig(List<String> allowedOrigins, boolean trustProxy, int maxRegistrationsPerHour,
                               int maxFailedLoginsPerAddress) {
    public static final int DEFAULT_MAX_REGISTRATIONS_PER_HOUR = 10;
    public static final int DEFAULT_MAX_FAILED_LOGINS_PER_ADDRESS = 30;

    public SecurityConfig {
      allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Same origin only, no proxy, the shipped throttles. */
    public static SecurityConfig defaults() {
      return new SecurityConfig(List.of(), false, DEFAULT_MAX_REGISTRATIONS_PER_HOUR, DEFAULT_MAX_FAILED_LOGINS_PER_ADDRESS);
    }
  }
}
