package io.chatservice.http;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.chatservice.http.NodeConfig.ClusterConfig;
import io.chatservice.http.ops.RegistrationsAfterMerge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VertxBuilder;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.UUID;

/**
 * The Vert.x a node runs on: standalone or clustered on Hazelcast, and always
 * instrumented with Micrometer into the node's own Prometheus registry. The
 * cluster is configured from the command line alone: TCP/IP join or
 * Kubernetes DNS discovery, no multicast, no phone-home, and failure
 * detection tuned so a dead node is noticed within seconds.
 */
public record NodeRuntime(Vertx vertx, HazelcastClusterManager clusterManager, PrometheusMeterRegistry registry) {

  /** A member that misses heartbeats this long is removed (Hazelcast's default is 60 s). */
  static final int MAX_NO_HEARTBEAT_SECONDS = 6;
  /** How often the halves of a healed partition look for each other to merge. */
  static final int MERGE_RUN_DELAY_SECONDS = 5;

  public boolean clustered() {
    return clusterManager != null;
  }

  public static Future<NodeRuntime> start(ClusterConfig cluster) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions()
      // epoll where the platform has it (Linux): a fan-out is one write per socket, and epoll's writes cost less than NIO's.
      .setPreferNativeTransport(true)
      .setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      // Several nodes may share a JVM in tests: each keeps its own registry.
      .setRegistryName("chat-node-" + UUID.randomUUID()));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    if (!cluster.enabled()) {
      return Future.succeededFuture(new NodeRuntime(builder.with(options).build(), null, registry));
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(cluster));
    options.setEventBusOptions(new EventBusOptions()
      .setHost(cluster.eventBusHost())
      .setPort(cluster.eventBusPort())
      // What other nodes connect to; never "localhost" unless this really is a one-machine cluster.
      .setClusterPublicHost(cluster.publicHost()));
    return builder.with(options).withClusterManager(manager).buildClustered()
      .map(vertx -> {
        RegistrationsAfterMerge.watch(vertx, manager);
        return new NodeRuntime(vertx, manager, registry);
      });
  }

  static Config hazelcastConfig(ClusterConfig cluster) {
    // Vert.x's own map settings (subscriptions, node info) come from its default config.
    Config config = ConfigUtil.loadConfig();
    config.setClusterName("chat");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS));
    // Bind only the cluster host, so nodes on 127.0.0.x of one machine can all use port 5701.
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.local.localAddress", cluster.host());
    config.setProperty("hazelcast.tcp.join.port.try.count", "10");
    // Join in about a second instead of Hazelcast's default five.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // After a network partition heals, the two halves look for each other and merge every few seconds
    // (Hazelcast's default: first after 300 s, then every 120 s), so a cut-off node serves again soon.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_RUN_DELAY_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_RUN_DELAY_SECONDS));

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(cluster.members().isEmpty() && cluster.k8sService().isEmpty());
    if (!cluster.publicHost().equals(cluster.host())) {
      // Without a port Hazelcast advertises the one it bound, which auto-increment may have moved.
      network.setPublicAddress(cluster.publicHost());
    }
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.host()));

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.k8sService().isPresent()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", cluster.k8sService().get())
        .setProperty("service-port", String.valueOf(cluster.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true)
        .setMembers(cluster.members().isEmpty() ? List.of(cluster.host()) : cluster.members());
    }
    return config;
  }
}
