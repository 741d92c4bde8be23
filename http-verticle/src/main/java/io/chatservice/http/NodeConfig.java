package io.chatservice.http;

import io.chatservice.chat.ChatConfig;
import io.chatservice.chat.persistence.DatabaseConfig;

import java.util.List;
import java.util.Optional;

/** Everything a node is told at start, read once from the command line and environment. */
public record NodeConfig(
  HttpConfig http,
  ClusterConfig cluster,
  DatabaseConfig database,
  Optional<String> jwtSecret,
  boolean guests,
  ChatConfig chat) {

  public record HttpConfig(String host, int port, int maxBodyBytes) {
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;
  }

  /**
   * Hazelcast membership and the event bus. The event-bus host and the public
   * host default to the cluster host, so a node never advertises localhost.
   */
  public record ClusterConfig(boolean enabled, String host, int port, List<String> members, Optional<String> k8sService,
                              String eventBusHost, int eventBusPort, String publicHost) {
    public static final int DEFAULT_PORT = 5701;

    public static ClusterConfig standalone() {
      return new ClusterConfig(false, "127.0.0.1", DEFAULT_PORT, List.of(), Optional.empty(), "127.0.0.1", 0, "127.0.0.1");
    }

    /** A loopback cluster member, for tests and local clusters. */
    public static ClusterConfig loopback(String host, List<String> members) {
      return new ClusterConfig(true, host, DEFAULT_PORT, members, Optional.empty(), host, 0, host);
    }
  }
}
