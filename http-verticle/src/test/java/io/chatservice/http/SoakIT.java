package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.http.testing.NodeProcess;
import io.chatservice.http.testing.SockJsTestClient;
import io.chatservice.http.testing.SseTestClient;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connect, join, send, disconnect, over and over, against one chat-node.jar
 * process: mostly /ws, every tenth cycle over SSE (the send through REST) and
 * every tenth over the SockJS bridge; those two send first and then subscribe
 * with "after", so the own message comes by the replay path, with no race. Before and after, with the node idle and
 * after a full GC: event-bus registrations (vertx_eventbus_handlers), open
 * connections, online users and live heap must be back where they started.
 * {@code -Dsoak.cycles} (default 3000) and {@code -Dsoak.concurrency} (32)
 * size the run; the README gives the 100k command. Logs: target/soak-it/.
 */
@DisplayName("Soak: connect/join/send/disconnect cycles leave nothing behind")
class SoakIT {

  private static final int CYCLES = Integer.getInteger("soak.cycles", 3000);
  private static final int CONCURRENCY = Integer.getInteger("soak.concurrency", 32);
  private static final int USERS = 64;
  private static final List<String> ROOMS = List.of("general", "soak-a", "soak-b", "soak-c");
  private static final long STEP_TIMEOUT_MS = 15_000;
  /** Live heap after a full GC may differ by this much: JIT, pools and caches settle, and H2 keeps up to its page cache. */
  private static final long HEAP_TOLERANCE_BYTES = 16L * 1024 * 1024;
  private static final Path LOGS = Path.of("target", "soak-it");

  private NodeProcess node;
  private Vertx vertx;
  private HttpClient http;
  private final List<String> tokens = new ArrayList<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger failedCycles = new AtomicInteger();

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.kill();
    }
    if (vertx != null) {
      await(vertx.close(), 30_000);
    }
  }

  @Test
  @DisplayName("Registrations, connections and online users return exactly to their starting level, live heap within 16 MiB")
  void soak() throws Exception {
    Path db = Files.createDirectories(LOGS).toAbsolutePath().resolve("db-" + System.nanoTime());
    node = NodeProcess.startStandalone("soak", "127.0.0.1",
        // A small page cache, so the database's share of the heap is bounded and cannot pass for a leak.
        new DatabaseConfig("jdbc:h2:file:" + db + "/chat;CACHE_SIZE=4096", "sa", "", 4), LOGS,
        // Its USERS accounts all register from this one address.
        "--send-rate", "100000", "--send-burst", "100000", "--max-registrations-per-hour", "1000")
      .awaitReady(Duration.ofSeconds(60));
    vertx = Vertx.vertx();
    http = vertx.createHttpClient();
    for (int i = 0; i < USERS; i++) {
      tokens.add(node.registerAndLogin("soak" + i));
    }
    String admin = tokens.get(0);
    for (String room : ROOMS.subList(1, ROOMS.size())) {
      node.call("POST", "/api/rooms", admin, new JsonObject().put("name", room));
    }

    run(Math.max(500, CYCLES / 10));
    assertThat(failures).as("failed warm-up cycles").isEmpty();
    Map<String, Double> before = settledFigures();

    long start = System.nanoTime();
    run(CYCLES);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Double> after = settledFigures();

    System.out.printf("SoakIT: %d cycles with %d clients at a time in %.1f s = %.0f cycles/s; failures %d%n",
      CYCLES, CONCURRENCY, seconds, CYCLES / seconds, failedCycles.get());
    System.out.printf("  before: %s%n  after:  %s%n", before, after);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(failures).as("failed cycles (the first 20 of %d)", failedCycles.get()).isEmpty();
    for (String figure : List.of("eventbus_handlers", "connections", "users_online")) {
      soft.assertThat(after.get(figure)).as(figure + " back to its starting level").isEqualTo(before.get(figure));
    }
    soft.assertThat(after.get("heap_bytes") - before.get("heap_bytes")).as("live heap growth in bytes")
      .isLessThanOrEqualTo((double) HEAP_TOLERANCE_BYTES);
    soft.assertAll();
  }

  /** Runs {@code cycles} cycles, CONCURRENCY at a time; a failed cycle is recorded and the next one starts. */
  private void run(int cycles) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = IntStream.range(0, CONCURRENCY)
      .mapToObj(w -> {
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> loop(next, cycles, done));
        return done.future();
      }).toList();
    await(Future.all(workers), Math.max(120_000, cycles * 200L));
  }

  private void loop(AtomicInteger next, int cycles, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= cycles) {
      done.complete();
      return;
    }
    String token = tokens.get(i % USERS);
    String room = ROOMS.get(i % ROOMS.size());
    String text = "cycle " + i;
    Future<Void> cycle = switch (i % 10) {
      case 3 -> sseCycle(token, room, text);
      case 7 -> sockJsCycle(token, room, text);
      default -> wsCycle(token, room, text, i);
    };
    cycle.timeout(4 * STEP_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(result -> {
      if (result.failed() && failedCycles.incrementAndGet() <= 20) {
        String cause = String.valueOf(result.cause());
        failures.add("cycle " + i + ": " + (cause.length() > 300 ? cause.substring(0, 300) + "..." : cause));
      }
      loop(next, cycles, done);
    });
  }

  private Future<Void> wsCycle(String token, String room, String text, int i) {
    return WsTestClient.connect(vertx, node.port, token).compose(ws -> ws.join(room)
      .next(WsTestClient.joined(room), STEP_TIMEOUT_MS)
      .compose(joined -> ws.send(room, text, i).next(WsTestClient.reply(i), STEP_TIMEOUT_MS))
      .compose(reply -> "ack".equals(reply.getString("type")) ? Future.<Void>succeededFuture()
        : Future.<Void>failedFuture(new AssertionError("send refused: " + reply)))
      .eventually(ws::close));
  }

  /** Posts first, then opens the stream with the stored seq as "after": the replay must bring the own message. */
  private Future<Void> sseCycle(String token, String room, String text) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
    return post(token, room, text).compose(seq -> SseTestClient.open(vertx, node.port, "/sse?room=" + room + "&after=" + (seq - 1), headers))
      .compose(sse -> sse.await(events -> events.stream().anyMatch(e -> "message".equals(e.event())
          && text.equals(e.json().getString("text"))), STEP_TIMEOUT_MS)
        .<Void>mapEmpty()
        .eventually(sse::close));
  }

  /** Sends first, then registers with the reply's seq as "after": the replay must bring the own message. */
  private Future<Void> sockJsCycle(String token, String room, String text) {
    return SockJsTestClient.connect(vertx, node.port, token).compose(bridge -> {
      String address = ChatAddresses.room(room);
      String replyAddress = bridge.request(ChatAddresses.SEND, new JsonObject().put("room", room).put("text", text));
      return bridge.next(SockJsTestClient.to(replyAddress), STEP_TIMEOUT_MS)
        .compose(reply -> {
          Long seq = reply.getJsonObject("body", new JsonObject()).getLong("seq");
          if (seq == null) {
            return Future.failedFuture(new AssertionError("chat.send refused: " + reply));
          }
          // Registered from inside a waiter's completion: complete the wait on a later turn, not during the client's iteration.
          Promise<JsonObject> delivered = Promise.promise();
          vertx.runOnContext(v -> {
            bridge.register(address, seq - 1);
            bridge.next(m -> SockJsTestClient.to(address).test(m)
              && text.equals(m.getJsonObject("body", new JsonObject()).getString("text")), STEP_TIMEOUT_MS).onComplete(delivered);
          });
          return delivered.future();
        })
        .<Void>mapEmpty()
        .eventually(bridge::close);
    });
  }

  /** POSTs a message over REST; the stored seq. */
  private Future<Long> post(String token, String room, String text) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(node.port)
      .setURI("/api/rooms/" + room + "/messages").addHeader("Authorization", "Bearer " + token)
      .addHeader("content-type", "application/json");
    return http.request(options)
      .compose(request -> request.send(new JsonObject().put("text", text).encode()))
      .compose(response -> response.body().compose(body -> response.statusCode() == 201
        ? Future.succeededFuture(new JsonObject(body).getLong("seq"))
        : Future.<Long>failedFuture(new AssertionError("POST refused: " + response.statusCode() + " " + body))));
  }

  /**
   * Once no connection is left open (closes finish asynchronously), the node's
   * figures after two full GCs: registrations, connections, online users, live heap.
   */
  private Map<String, Double> settledFigures() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, Double> figures = scrape();
    while (figures.get("connections") > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      figures = scrape();
    }
    // Presence and registrations settle right after the last close; give them a moment.
    Thread.sleep(1_000);
    for (int i = 0; i < 2; i++) {
      Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(node.pid()), "GC.run").redirectErrorStream(true).start();
      gc.getInputStream().readAllBytes();
      assertThat(gc.waitFor(60, TimeUnit.SECONDS)).as("jcmd GC.run finished").isTrue();
    }
    return scrape();
  }

  private Map<String, Double> scrape() throws Exception {
    String text = node.call("GET", "/metrics", null, null).body();
    Map<String, Double> figures = new TreeMap<>();
    figures.put("eventbus_handlers", sum(text, "vertx_eventbus_handlers"));
    figures.put("connections", sum(text, "chat_connections{"));
    // Presence itself, not the chat_users_online gauge, which the node refreshes only every few seconds.
    JsonArray users = new JsonArray(node.call("GET", "/api/users", tokens.get(0), null).body());
    figures.put("users_online", (double) users.stream().filter(u -> ((JsonObject) u).getBoolean("online")).count());
    figures.put("heap_bytes", sum(text, "jvm_memory_used_bytes{area=\"heap\""));
    return figures;
  }

  /** The sum of every sample whose line starts with {@code prefix}. */
  private static double sum(String metrics, String prefix) {
    return metrics.lines().filter(line -> line.startsWith(prefix) && (prefix.endsWith("{") || prefix.endsWith("\"")
        || line.charAt(prefix.length()) == ' ' || line.charAt(prefix.length()) == '{'))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private static <T> T await(Future<T> future, long timeoutMs) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
