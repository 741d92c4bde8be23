package io.chatservice.http;

import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.NodeProcess;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling-update rehearsal with real processes: three {@code chat-node.jar --cluster} nodes on
 * 127.x.y.1..3 (TCP/IP member list) sharing one PostgreSQL schema are replaced one at a time
 * (SIGTERM, wait for the exit, a new process on the same address joins the other two, wait for
 * ready) while REST senders post to whichever node is up, moving on after a failure, and /ws
 * clients, told 1012 by a stopping node, reconnect round robin to the others with backoff,
 * resuming with {@code after} = the last seq they saw.
 * Logs in target/rolling-update-it/.
 */
@DisplayName("Rolling update: the three nodes of a cluster replaced one at a time while clients chat")
class RollingUpdateIT {

  private static final Path LOGS = Path.of("target", "rolling-update-it");
  private static final int CLIENTS_PER_NODE = 3;
  private static final long PACE_MS = 25;
  /** Chatting on the new topology before the next node goes. */
  private static final long SETTLE_MS = 2_000;
  private static final long EXIT_LIMIT_MS = 10_000;

  /** The nodes clients and senders use; a slot is empty from its node's exit until its replacement is ready. */
  private final AtomicReferenceArray<NodeProcess> live = new AtomicReferenceArray<>(3);
  private final List<NodeProcess> launched = new CopyOnWriteArrayList<>();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicBoolean sending = new AtomicBoolean(true);
  private final AtomicBoolean stopped = new AtomicBoolean();
  private Vertx vertx;
  private ExecutorService senderThreads;

  @AfterEach
  void tearDown() throws Exception {
    sending.set(false);
    stopped.set(true);
    if (senderThreads != null) {
      senderThreads.shutdownNow();
    }
    for (NodeProcess node : launched) {
      node.kill();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("No acknowledged message is lost, history is gapless, and every client, across its reconnections, receives exactly seq 1..N in order")
  void replaceEveryNodeWhileClientsChat() throws Exception {
    long testStart = System.nanoTime();
    DatabaseConfig database = TestDatabases.postgres();
    String prefix = NodeProcess.randomLoopbackPrefix();
    List<String> members = List.of(prefix + 1, prefix + 2, prefix + 3);
    for (int i = 0; i < 3; i++) {
      live.set(i, launch("node" + (i + 1), members.get(i), members, database));
    }
    for (int i = 0; i < 3; i++) {
      live.get(i).awaitReady(Duration.ofSeconds(60)).awaitClusterMembers(3, Duration.ofSeconds(30));
    }
    vertx = Vertx.vertx();
    List<String> listenerTokens = new ArrayList<>();
    List<Sender> senders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      listenerTokens.add(live.get(i).registerAndLogin("l" + (i + 1)));
      senders.add(new Sender("s" + (i + 1), i, live.get(i).registerAndLogin("s" + (i + 1))));
    }
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < 3 * CLIENTS_PER_NODE; i++) {
      Client client = new Client("c" + (i + 1), listenerTokens.get(i % 3));
      clients.add(client);
      client.open(live.get(i % 3), 0, 0);
    }
    assertThat(waitUntil(15_000, () -> clients.stream().allMatch(Client::joined))).as("all clients joined: %s", clients).isTrue();

    senderThreads = Executors.newFixedThreadPool(senders.size());
    CompletableFuture<?>[] senderRuns = senders.stream().map(s -> CompletableFuture.runAsync(s, senderThreads)).toArray(CompletableFuture[]::new);
    assertThat(waitUntil(20_000, () -> senders.stream().allMatch(s -> s.acked.size() >= 20))).as("senders under way: %s", senders).isTrue();

    List<String> replacements = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // Like a load balancer that lags: the stopping node stays in rotation until it is gone (503s, refused connections).
      NodeProcess old = live.get(i);
      long signalled = System.nanoTime();
      old.terminate();
      boolean exited = old.awaitExit(Duration.ofMillis(EXIT_LIMIT_MS + 5_000));
      long exitMs = elapsedMs(signalled);
      live.set(i, null);
      assertThat(exited).as("%s exited after SIGTERM; log:%n%s", old.name, old.logTail(30)).isTrue();
      assertThat(exitMs).as("ms from SIGTERM to exit of %s", old.name).isLessThanOrEqualTo(EXIT_LIMIT_MS);
      assertThat(old.exitValue()).as("exit status of %s; log:%n%s", old.name, old.logTail(30)).isZero();
      NodeProcess fresh = launch(old.name + "-v2", old.host, members, database);
      long launchedAt = System.nanoTime();
      fresh.awaitReady(Duration.ofSeconds(60));
      long readyMs = elapsedMs(launchedAt);
      fresh.awaitClusterMembers(3, Duration.ofSeconds(30));
      live.set(i, fresh);
      replacements.add(String.format("%s: exit %d ms, ready %d ms, 3 members %d ms, total %d ms",
        old.name, exitMs, readyMs, elapsedMs(launchedAt), elapsedMs(signalled)));
      Thread.sleep(SETTLE_MS);
    }
    sending.set(false);
    CompletableFuture.allOf(senderRuns).get(20, TimeUnit.SECONDS);

    NodeProcess auditorNode = live.get(0);
    List<JsonObject> history = auditorNode.history("general", listenerTokens.get(0));
    int n = history.size();
    waitUntil(20_000, () -> clients.stream().allMatch(c -> c.joined() && c.received("seq").size() >= n));
    stopped.set(true);

    List<JsonObject> acked = senders.stream().flatMap(s -> s.acked.stream()).toList();
    Map<String, String> failedTexts = new TreeMap<>();
    senders.forEach(s -> failedTexts.putAll(s.failedTexts));
    List<JsonObject> storedUnacked = history.stream().filter(m -> failedTexts.containsKey(m.getString("text"))).toList();
    System.out.printf("rolling update: %s%n  acknowledged %d (%s); failed sends %d (%s); history 1..%d, %d stored without an ack %s%n"
        + "  clients (received, connections - 1 = reconnects, failed connects, close codes): %s%n  took %d s%n",
      replacements, acked.size(), senders.stream().map(s -> s.name + " " + s.acked.size()).collect(Collectors.joining(", ")),
      failedTexts.size(), senders.stream().map(s -> s.name + " " + s.reasons).collect(Collectors.joining(", ")), n,
      storedUnacked.size(), storedUnacked.stream().map(m -> m.getString("text") + ": " + failedTexts.get(m.getString("text"))).toList(),
      clients, elapsedMs(testStart) / 1000);

    SoftAssertions softly = new SoftAssertions();
    softly.assertThat(history.stream().map(m -> m.getLong("seq")).toList()).as("history seqs")
      .isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
    for (JsonObject ack : acked) {
      int index = ack.getLong("seq").intValue() - 1;
      softly.assertThat(index < n ? history.get(index) : null).as("the stored message at acknowledged seq %s", ack.getLong("seq")).isEqualTo(ack);
    }
    softly.assertThat(history.stream().map(m -> m.getString("text")).distinct().count()).as("distinct texts in history (each sent once)").isEqualTo(n);
    softly.assertThat(n).as("history holds the %d acknowledged and at most the %d failed sends", acked.size(), failedTexts.size())
      .isBetween(acked.size(), acked.size() + failedTexts.size());
    // Stored although the sender was told otherwise by an HTTP status: a retrying client would post it twice.
    softly.assertThat(storedUnacked.stream().map(m -> failedTexts.get(m.getString("text"))).filter(r -> r.matches("\\d+.*")).toList())
      .as("stored messages whose send was answered with an error status").isEmpty();
    List<Long> historyIds = history.stream().map(m -> m.getLong("id")).toList();
    for (Client client : clients) {
      softly.assertThat(anomalies(client.received("seq"), n)).as("what %s received", client).isEqualTo(n + " received, missing [], duplicated [], in order");
      softly.assertThat(firstDifference(client.received("id"), historyIds)).as("ids %s received vs history's", client.name).isEqualTo("none");
      // Every client sat on some node that was replaced; each time it must have been told 1012 (service_restart).
      softly.assertThat(client.closeCodes.keySet()).as("close codes %s got from stopping nodes", client.name).containsOnly(1012);
    }
    softly.assertAll();
  }

  /** A /ws client that, when its node closes it, reconnects round robin to a node that is up, resuming after its last seq. */
  private final class Client {
    final String name;
    final String token;
    final List<WsTestClient> sockets = new CopyOnWriteArrayList<>();
    final Map<Integer, Integer> closeCodes = new ConcurrentHashMap<>();
    final AtomicInteger failedConnects = new AtomicInteger();

    Client(String name, String token) {
      this.name = name;
      this.token = token;
    }

    void open(NodeProcess node, long after, int attempt) {
      WsTestClient.connect(vertx, new WebSocketClientOptions().setConnectTimeout(2000),
          new WebSocketConnectOptions().setHost(node.host).setPort(node.port).setURI("/ws?token=" + token))
        .onSuccess(ws -> {
          if (stopped.get()) {
            ws.close();
            return;
          }
          sockets.add(ws);
          ws.join("general", after);
          ws.closed().onSuccess(code -> {
            if (!stopped.get()) {
              closeCodes.merge(code == null ? -1 : code.intValue(), 1, Integer::sum);
              reconnect(0);
            }
          });
        })
        .onFailure(e -> {
          failedConnects.incrementAndGet();
          reconnect(attempt + 1);
        });
    }

    /** Immediately the first time, then with a backoff of 50 ms doubling up to 1 s. */
    void reconnect(int attempt) {
      long delay = attempt == 0 ? 1 : Math.min(1000, 50L << Math.min(attempt, 5));
      vertx.setTimer(delay, id -> {
        if (stopped.get()) {
          return;
        }
        NodeProcess node = nextLiveNode();
        if (node == null) {
          reconnect(attempt + 1);
        } else {
          List<Long> seqs = received("seq");
          open(node, seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1), attempt);
        }
      });
    }

    boolean joined() {
      WsTestClient current = sockets.isEmpty() ? null : sockets.get(sockets.size() - 1);
      return current != null && !current.isClosed() && current.frames().stream().anyMatch(WsTestClient.joined("general"));
    }

    /** A field ("seq", "id") of every message received, over all its connections, in arrival order. */
    List<Long> received(String field) {
      return sockets.stream().flatMap(s -> s.frames().stream()).filter(WsTestClient.message("general")).map(m -> m.getLong(field)).toList();
    }

    @Override
    public String toString() {
      return name + " (" + received("seq").size() + ", " + (sockets.size() - 1) + ", " + failedConnects.get() + ", " + closeCodes + ")";
    }
  }

  private NodeProcess nextLiveNode() {
    int start = roundRobin.getAndIncrement();
    for (int i = 0; i < 3; i++) {
      NodeProcess node = live.get(Math.floorMod(start + i, 3));
      if (node != null) {
        return node;
      }
    }
    return null;
  }

  /** Posts to a live node as fast as PACE_MS allows; on a failure moves on to the next node (the failed message is not retried). */
  private final class Sender implements Runnable {
    final String name;
    final String token;
    final List<JsonObject> acked = new CopyOnWriteArrayList<>();
    final Map<String, String> failedTexts = new ConcurrentHashMap<>();
    final Map<String, Integer> reasons = new ConcurrentHashMap<>();
    int slot;

    Sender(String name, int slot, String token) {
      this.name = name;
      this.slot = slot;
      this.token = token;
    }

    @Override
    public void run() {
      int attempt = 0;
      while (sending.get()) {
        NodeProcess node = live.get(Math.floorMod(slot, 3));
        if (node == null) {
          slot++;
          continue;
        }
        String text = name + " #" + ++attempt;
        try {
          HttpResponse<String> response = node.call("POST", "/api/rooms/general/messages", token, new JsonObject().put("text", text));
          if (response.statusCode() == 201) {
            acked.add(new JsonObject(response.body()));
          } else {
            failed(text, response.statusCode() + " " + response.body().replaceAll(".*\"error\":\"([a-z_]+)\".*", "$1"), node);
          }
          Thread.sleep(PACE_MS);
        } catch (IOException e) {
          failed(text, e.getClass().getSimpleName(), node);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Not acknowledged, so not retried either: noted, and the next message goes to the next node. */
    void failed(String text, String failure, NodeProcess node) {
      failedTexts.put(text, failure + " from " + node.name);
      reasons.merge(failure, 1, Integer::sum);
      slot++;
    }

    @Override
    public String toString() {
      return name + " acked " + acked.size() + ", failed " + reasons;
    }
  }

  private NodeProcess launch(String name, String host, List<String> members, DatabaseConfig database) {
    NodeProcess node = NodeProcess.start(name, host, members, database, LOGS);
    launched.add(node);
    return node;
  }

  /** What is wrong with a received sequence, in a line: missing seqs, duplicates, the first one out of order. */
  private static String anomalies(List<Long> seqs, int n) {
    Set<Long> seen = new HashSet<>();
    List<Long> duplicated = seqs.stream().filter(seq -> !seen.add(seq)).limit(20).toList();
    List<Long> missing = LongStream.rangeClosed(1, n).filter(seq -> !seen.contains(seq)).limit(20).boxed().toList();
    int disorder = 1;
    while (disorder < seqs.size() && seqs.get(disorder) > seqs.get(disorder - 1)) {
      disorder++;
    }
    return seqs.size() + " received, missing " + missing + ", duplicated " + duplicated
      + (disorder < seqs.size() ? ", out of order at index " + disorder + " (" + seqs.get(disorder - 1) + " then " + seqs.get(disorder) + ")" : ", in order");
  }

  private static String firstDifference(List<Long> ids, List<Long> historyIds) {
    int i = 0;
    while (i < ids.size() && i < historyIds.size() && ids.get(i).equals(historyIds.get(i))) {
      i++;
    }
    return i == ids.size() && i == historyIds.size() ? "none" : "at index " + i + ": received "
      + (i < ids.size() ? ids.get(i) : "nothing") + ", history " + (i < historyIds.size() ? historyIds.get(i) : "nothing");
  }

  private static boolean waitUntil(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (elapsedMs(start) > timeoutMs) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  private static long elapsedMs(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }
}
