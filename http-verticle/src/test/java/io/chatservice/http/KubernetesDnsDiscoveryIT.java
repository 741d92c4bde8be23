package io.chatservice.http;

import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.NodeProcess;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hazelcast's Kubernetes discovery in DNS mode, for real, without Kubernetes:
 * three {@code chat-node.jar --cluster --k8s-service <name>} processes on
 * 127.x.y.1..3 whose JVMs resolve names from a hosts file
 * ({@code -Djdk.net.hosts.file}) that maps the headless Service's DNS name to
 * all three addresses, as cluster DNS does for a headless Service's ready pods.
 * No member list is given and TCP/IP join is off, so the DNS answer is the
 * only way the nodes can find each other. A fourth node, whose service name
 * resolves to itself alone, is the control: it must stay a cluster of one.
 * Logs (with Hazelcast's discovery lines) are in target/k8s-dns-it/.
 */
@DisplayName("Kubernetes DNS discovery: three chat-node.jar processes find each other through a headless Service name")
class KubernetesDnsDiscoveryIT {

  private static final String SERVICE = "chat-hazelcast.chat.svc.cluster.local";
  private static final String LONELY_SERVICE = "lonely-hazelcast.chat.svc.cluster.local";
  private static final Path DIR = Path.of("target", "k8s-dns-it");

  private final List<NodeProcess> nodes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    for (NodeProcess node : nodes) {
      node.kill();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("Each node is ready with 3 members, canaries cross the event bus to every node, and a message posted on node 1 reaches /ws subscribers on nodes 2 and 3")
  void nodesFindEachOtherThroughServiceDns() throws Exception {
    DatabaseConfig database = TestDatabases.postgres();
    String prefix = NodeProcess.randomLoopbackPrefix();
    List<String> addresses = List.of(prefix + 1, prefix + 2, prefix + 3);
    String lonelyAddress = prefix + 4;
    Files.createDirectories(DIR);
    Path hosts = DIR.resolve("hosts-" + prefix + "txt");
    Files.write(hosts, hostsFile(addresses, lonelyAddress));
    Path logback = DIR.resolve("logback-discovery.xml");
    Files.writeString(logback, LOGBACK);
    List<String> jvm = List.of("-Djdk.net.hosts.file=" + hosts.toAbsolutePath(),
      "-Dlogback.configurationFile=" + logback.toAbsolutePath());

    long started = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      nodes.add(k8sNode("dns-node" + (i + 1), addresses.get(i), SERVICE, database, jvm));
    }
    NodeProcess lonely = k8sNode("dns-lonely", lonelyAddress, LONELY_SERVICE, database, jvm);
    nodes.add(lonely);
    for (NodeProcess node : nodes) {
      node.awaitReady(Duration.ofSeconds(60));
    }
    List<NodeProcess> cluster = nodes.subList(0, 3);

    // Ready may come before the last member joined: wait (bounded) for every node to see three.
    for (NodeProcess node : cluster) {
      node.awaitClusterMembers(3, Duration.ofSeconds(30));
    }
    long formedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    Set<String> answeredBy = new HashSet<>();
    for (NodeProcess node : cluster) {
      JsonObject first = node.readiness();
      String log = Files.readString(node.log);
      assertThat(first.getInteger("httpStatus")).as("%s /health/ready: %s; log:%n%s", node.name, first, node.logTail(40)).isEqualTo(200);
      assertThat(NodeProcess.clusterMembers(first)).as("%s cluster members: %s; log:%n%s", node.name, first, node.logTail(40)).isEqualTo(3);
      // Hazelcast says which joiner it runs: the Kubernetes strategy in DNS mode, on our service name.
      assertThat(log).as("%s log", node.name)
        .contains("Kubernetes Discovery activated with mode: DNS_LOOKUP")
        .contains("service-dns: " + SERVICE)
        .contains("Using Discovery SPI")
        .contains("Members {size:3");
      for (String address : addresses) {
        assertThat(log).as("%s's member list names %s", node.name, address).contains("Member [" + address + "]:5701");
      }
      // Node i's canary asks the other members in turn: two polls of each node reach all three.
      for (JsonObject r : List.of(first, node.readiness())) {
        JsonObject eventBus = NodeProcess.check(r, "event-bus");
        assertThat(eventBus.getString("status")).as("%s event-bus check: %s", node.name, r).isEqualTo("UP");
        answeredBy.add(eventBus.getJsonObject("data").getString("answeredBy"));
      }
    }
    assertThat(answeredBy).as("node ids that answered event-bus canaries").hasSize(3);

    // The control: same jar, same database, a service name that resolves to itself alone.
    JsonObject lonelyReady = lonely.readiness();
    assertThat(NodeProcess.clusterMembers(lonelyReady)).as("the node whose service name resolves only to itself: %s", lonelyReady).isEqualTo(1);
    assertThat(Files.readString(lonely.log)).contains("Kubernetes Discovery activated with mode: DNS_LOOKUP");

    // Chat across the DNS-formed cluster: post on node 1, listen on nodes 2 and 3 over /ws.
    vertx = Vertx.vertx();
    String alice = cluster.get(0).registerAndLogin("alice");
    String bob = cluster.get(2).registerAndLogin("bob");
    List<WsTestClient> listeners = new ArrayList<>();
    for (NodeProcess node : List.of(cluster.get(2), cluster.get(1))) {
      WsTestClient ws = await(WsTestClient.connect(vertx, new WebSocketClientOptions().setConnectTimeout(2000),
        new WebSocketConnectOptions().setHost(node.host).setPort(node.port).setURI("/ws?token=" + bob)));
      ws.join("general", 0);
      await(ws.next(WsTestClient.joined("general"), 10_000));
      listeners.add(ws);
    }
    HttpResponse<String> posted = cluster.get(0).call("POST", "/api/rooms/general/messages", alice,
      new JsonObject().put("text", "hello through " + SERVICE));
    assertThat(posted.statusCode()).as("post on node 1: %s", posted.body()).isEqualTo(201);
    JsonObject stored = new JsonObject(posted.body());
    for (int i = 0; i < listeners.size(); i++) {
      JsonObject frame = await(listeners.get(i).next(WsTestClient.message("general"), 10_000));
      frame.remove("type");
      assertThat(frame).as("what the /ws subscriber on node %d received", 3 - i).isEqualTo(stored);
    }
    System.out.printf("k8s DNS discovery: %s -> %s; 3 members on every node %d ms after launch; canaries answered by %s; "
        + "control node on %s alone: %d member; message seq %d from node 1 reached /ws on nodes 3 and 2%n",
      SERVICE, addresses, formedMs, answeredBy, LONELY_SERVICE, NodeProcess.clusterMembers(lonelyReady), stored.getLong("seq"));
  }

  private NodeProcess k8sNode(String name, String host, String service, DatabaseConfig database, List<String> jvm) {
    // No --cluster-members: with --k8s-service TCP/IP join is off and port auto-increment too (every node on 5701).
    return NodeProcess.launch(name, host, database, DIR, jvm,
      List.of("--cluster", "--cluster-host", host, "--k8s-service", service));
  }

  /**
   * With jdk.net.hosts.file the JVM resolves names from this file alone, so it also names localhost and this
   * machine (InetAddress.getLocalHost() must keep working). One line per address, as cluster DNS answers.
   */
  private static List<String> hostsFile(List<String> addresses, String lonelyAddress) {
    List<String> lines = new ArrayList<>();
    for (String address : addresses) {
      lines.add(address + " " + SERVICE);
    }
    lines.add(lonelyAddress + " " + LONELY_SERVICE);
    String machine = "localhost";
    try {
      machine = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      // keep localhost alone
    }
    lines.add("127.0.0.1 localhost " + machine);
    return lines;
  }

  /** Hazelcast's discovery lines on top of the node's usual loggers (chat-loggers.xml, in the jar). */
  private static final String LOGBACK = """
    <configuration>
      <appender name="text" class="ch.qos.logback.core.ConsoleAppender">
        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
      </appender>
      <include resource="chat-loggers.xml"/>
      <logger name="com.hazelcast.spi.discovery" level="INFO"/>
      <logger name="com.hazelcast.kubernetes" level="INFO"/>
      <logger name="com.hazelcast.instance.impl.Node" level="INFO"/>
      <logger name="com.hazelcast.internal.cluster.impl.DiscoveryJoiner" level="DEBUG"/>
      <root level="INFO"><appender-ref ref="text"/></root>
    </configuration>
    """;

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}
