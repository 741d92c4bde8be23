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

  public record ClusterConfig(boolean enabled, String host, int port, List<String> members, Optional<String> k8sService) {
    public static final int DEFAULT_PORT = 5701;

    public static ClusterConfig standalone() {
      return new ClusterConfig(false, "127.0.0.1", DEFAULT_PORT, List.of(), Optional.empty());
    }
  }
}
