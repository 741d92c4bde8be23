package io.chatservice.http;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.chatservice.http.NodeConfig.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/**
 * A clustered Vert.x on Hazelcast, configured from the command line alone:
 * TCP/IP join or Kubernetes DNS discovery, no multicast, no phone-home, and
 * failure detection tuned so a dead node is noticed within seconds.
 */
public final class ClusterSetup {

  /** A member that misses heartbeats this long is removed (Hazelcast's default is 60 s). */
  static final int MAX_NO_HEARTBEAT_SECONDS = 6;

  private ClusterSetup() {
  }

  /** The clustered instance and the manager the node's presence reads members from. */
  public record ClusteredVertx(Vertx vertx, HazelcastClusterManager clusterManager) {
  }

  public static Future<ClusteredVertx> start(ClusterConfig cluster) {
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(cluster));
    EventBusOptions eventBus = new EventBusOptions()
      .setHost(cluster.eventBusHost())
      .setPort(cluster.eventBusPort())
      // What other nodes connect to; never "localhost" unless this really is a one-machine cluster.
      .setClusterPublicHost(cluster.publicHost());
    return Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(eventBus))
      .withClusterManager(manager)
      .buildClustered()
      .map(vertx -> new ClusteredVertx(vertx, manager));
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
