package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.presence.HazelcastPresence;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.SockJsTestClient;
import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three clustered nodes in this JVM, each with its own Vert.x and real
 * Hazelcast member on its own loopback address, sharing one database.
 */
@DisplayName("A cluster of three nodes")
class ClusterTest {

  private static final String GENERAL = ChatAddresses.room("general");
  private static final List<TestNode> NODES = new ArrayList<>();
  private static Vertx clients;

  @BeforeAll
  static void startCluster() throws Exception {
    // A random 127.0.x.0/24 per run, so parallel runs never meet on port 5701.
    String base = "127.0." + ThreadLocalRandom.current().nextInt(10, 250) + ".";
    List<String> members = List.of(base + "1", base + "2", base + "3");
    DatabaseConfig database = TestDatabases.h2();
    // The first node creates the schema; the others join once it exists.
    NODES.add(await(TestNode.startClustered(members.get(0), members, database)));
    List<Future<TestNode>> others = List.of(
      TestNode.startClustered(members.get(1), members, database),
      TestNode.startClustered(members.get(2), members, database));
    for (Future<TestNode> node : others) {
      NODES.add(await(node));
    }
    clients = Vertx.vertx();
    for (String user : List.of("alice", "bob", "carol", "dora", "erin", "frank")) {
      await(NODES.get(0).registerAndLogin(user, "password-" + user));
    }
  }

  @AfterAll
  static void stopCluster() {
    NODES.forEach(node -> await(node.close()));
    if (clients != null) {
      clients.close();
    }
  }

  @Test
  @DisplayName("Senders on every node at once: every subscriber on every node sees 1..N once, in order, as history does")
  void oneOrderForEveryone() throws Exception {
    List<SockJsTestClient> subscribers = new ArrayList<>();
    for (TestNode node : NODES) {
      String token = await(login(node, "erin"));
      for (int i = 0; i < 10; i++) {
        SockJsTestClient client = await(SockJsTestClient.connect(clients, node.host, node.port, token));
        client.register(GENERAL);
        subscribers.add(client);
      }
    }
    Thread.sleep(500);
    int perSender = 40;
    List<Future<Void>> senders = new ArrayList<>();
    String[] users = {"alice", "bob", "carol"};
    for (int n = 0; n < NODES.size(); n++) {
      TestNode node = NODES.get(n);
      String token = await(login(node, users[n]));
      senders.add(postSequentially(node, token, users[n], perSender));
    }
    await(Future.all(senders));
    int total = perSender * NODES.size();
    List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();

    JsonArray history = await(NODES.get(2).client.get("/api/rooms/general/messages?after=0&limit=200")
      .bearerTokenAuthentication(await(login(NODES.get(2), "erin"))).send()).bodyAsJsonArray();
    assertThat(history.stream().map(m -> ((JsonObject) m).getLong("seq")).toList()).isEqualTo(expected);
    for (SockJsTestClient subscriber : subscribers) {
      waitFor(() -> subscriber.receivedFor(GENERAL).size() >= total, 10_000);
      List<Long> seqs = subscriber.receivedFor(GENERAL).stream().map(f -> f.getJsonObject("body").getLong("seq")).toList();
      assertThat(seqs).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("1000 subscribers on two nodes make two cluster registrations for the room, and all receive")
  void oneRegistrationPerNodeAndRoom() throws Exception {
    String room = "crowd";
    String address = ChatAddresses.room(room);
    String token = await(login(NODES.get(0), "frank"));
    await(NODES.get(0).client.post("/api/rooms").bearerTokenAuthentication(token).sendJsonObject(new JsonObject().put("name", room)));
    List<SockJsTestClient> subscribers = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      TestNode node = NODES.get(i % 2);
      SockJsTestClient client = await(SockJsTestClient.connect(clients, node.host, node.port, token));
      client.register(address);
      subscribers.add(client);
    }
    // Registrations spread through Hazelcast asynchronously: wait until both nodes' show, or time out.
    List<RegistrationInfo> found = registrations(address);
    for (long deadline = System.currentTimeMillis() + 10_000; found.size() < 2 && System.currentTimeMillis() < deadline; ) {
      Thread.sleep(100);
      found = registrations(address);
    }
    System.out.println("cluster registrations for " + address + " with 1000 subscribers on 2 nodes: " + found.size());
    assertThat(found).hasSize(2);

    await(NODES.get(2).client.post("/api/rooms/" + room + "/messages").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("text", "to the crowd")));
    for (SockJsTestClient subscriber : subscribers) {
      waitFor(() -> !subscriber.receivedFor(address).isEmpty(), 10_000);
      assertThat(subscriber.receivedFor(address)).hasSize(1);
    }
    subscribers.forEach(SockJsTestClient::close);
  }

  @Test
  @DisplayName("A user is online while any connection on any node is open, and every node agrees")
  void presenceAcrossNodes() throws Exception {
    SockJsTestClient watcher = await(SockJsTestClient.connect(clients, NODES.get(2).host, NODES.get(2).port, await(login(NODES.get(2), "bob"))));
    watcher.register(ChatAddresses.PRESENCE);
    Thread.sleep(300);
    String dora = await(login(NODES.get(0), "dora"));
    SockJsTestClient onFirst = await(SockJsTestClient.connect(clients, NODES.get(0).host, NODES.get(0).port, dora));
    SockJsTestClient onSecond = await(SockJsTestClient.connect(clients, NODES.get(1).host, NODES.get(1).port, dora));
    // Read from everything received (next() would take the frame out of the record checked at the end).
    waitFor(() -> presenceEvents(watcher, "dora").contains(true), 5000);
    for (TestNode node : NODES) {
      assertThat(await(online(node)).getBoolean("dora")).as("online on " + node.host).isTrue();
    }
    // A socket is announced to presence asynchronously: closing the first tab before the
    // second is counted would rightly make dora go offline and online again.
    waitFor(() -> presenceConnections("dora") == 2, 5000);
    await(onFirst.close());
    Thread.sleep(500);
    for (TestNode node : NODES) {
      assertThat(await(online(node)).getBoolean("dora")).as("still online (second tab) on " + node.host).isTrue();
    }
    await(onSecond.close());
    waitFor(() -> presenceEvents(watcher, "dora").contains(false), 5000);
    for (TestNode node : NODES) {
      waitFor(() -> Boolean.FALSE.equals(await(online(node)).getBoolean("dora")), 5000);
    }
    assertThat(presenceEvents(watcher, "dora")).as("one online and one offline event, not one per tab").containsExactly(true, false);
  }

  @Test
  @DisplayName("Readiness on a clustered node includes a canary answered by another node over the event bus")
  void readinessCrossesTheEventBus() {
    for (TestNode node : NODES) {
      JsonObject ready = await(node.client.get("/health/ready").send()).bodyAsJsonObject();
      assertThat(ready.getString("status")).as("ready on " + node.host + ": " + ready).isEqualTo("UP");
      JsonObject canary = ready.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(check -> "event-bus".equals(check.getString("id"))).findFirst().orElseThrow();
      assertThat(canary.getJsonObject("data").getString("answeredBy")).as("answered by another member")
        .isNotEqualTo(node.clusterManager.getNodeId())
        .isIn(NODES.stream().map(n -> n.clusterManager.getNodeId()).toList());
    }
  }

  /** The online flags of a user's presence events the watcher received, in order. */
  private static List<Boolean> presenceEvents(SockJsTestClient watcher, String user) {
    return watcher.receivedFor(ChatAddresses.PRESENCE).stream()
      .map(frame -> frame.getJsonObject("body"))
      .filter(body -> user.equals(body.getString("user")))
      .map(body -> body.getBoolean("online"))
      .toList();
  }

  /** How many connections the cluster-wide presence holds for a user. */
  private static int presenceConnections(String user) {
    Map<String, Set<String>> users = NODES.get(2).clusterManager.getHazelcastInstance().getMap(HazelcastPresence.MAP);
    Set<String> connections = users.get(user);
    return connections == null ? 0 : connections.size();
  }

  private static List<RegistrationInfo> registrations(String address) {
    Promise<List<RegistrationInfo>> registrations = Promise.promise();
    NODES.get(2).clusterManager.getRegistrations(address, registrations);
    return await(registrations.future());
  }

  private static Future<JsonObject> online(TestNode node) {
    return login(node, "carol").compose(token -> node.client.get("/api/users").bearerTokenAuthentication(token).send())
      .map(response -> {
        JsonObject online = new JsonObject();
        response.bodyAsJsonArray().forEach(u -> online.put(((JsonObject) u).getString("username"), ((JsonObject) u).getBoolean("online")));
        return online;
      });
  }

  private static Future<String> login(TestNode node, String user) {
    return node.client.post("/api/login").sendJsonObject(new JsonObject().put("username", user).put("password", "password-" + user))
      .map(response -> response.bodyAsJsonObject().getString("token"));
  }

  private static Future<Void> postSequentially(TestNode node, String token, String user, int count) {
    Future<HttpResponse<Buffer>> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      int n = i;
      chain = chain.compose(previous -> node.client.post("/api/rooms/general/messages").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("text", user + " " + n))
        .map(response -> {
          if (response.statusCode() != 201) {
            throw new IllegalStateException("post failed: " + response.bodyAsString());
          }
          return response;
        }));
    }
    return chain.mapEmpty();
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
  }
}
