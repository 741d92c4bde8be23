package io.chatservice.http;

import io.chatservice.http.testing.NodeProcess;
import io.chatservice.http.testing.PrivatePostgres;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real chat-node.jar on a PostgreSQL of the test's own, which is stopped for
 * 10 s while senders post continuously over REST and /ws. Every send must get
 * an answer in bounded time: an ack for a stored message or a retryable 503;
 * readiness must follow the database; and the node must recover by itself.
 * The node log is in target/database-outage-it/, the figures in the test output.
 */
@DisplayName("PostgreSQL stops for 10 s while clients send over REST and /ws")
class DatabaseOutageIT {

  private static final long OUTAGE_MS = 10_000;
  /** A send that fails must say so within this; a request still open after REQUEST_TIMEOUT_MS counts as a hang. */
  private static final long FAIL_LIMIT_MS = 10_000;
  private static final long REQUEST_TIMEOUT_MS = 30_000;
  private static final long READINESS_FLIP_LIMIT_MS = 5_000;
  private static final long RECOVERY_LIMIT_MS = 30_000;
  private static final int REST_SENDERS = 3;
  private static final int WS_SENDERS = 3;
  private static final Path LOGS = Path.of("target", "database-outage-it");

  /** One send and its answer; status 201 is an ack (REST 201 or a /ws ack), 0 no answer in time. */
  private record Outcome(String sender, String text, long startMs, long endMs, int status, String error, Long seq,
                         String retryAfter) {
    boolean acked() {
      return status == 201;
    }

    long latencyMs() {
      return endMs - startMs;
    }
  }

  private interface Attempt {
    Outcome send(String text, long startMs) throws Exception;
  }

  private record Probe(long atMs, int status) {
  }

  private final long t0 = System.nanoTime();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private PrivatePostgres postgres;
  private NodeProcess node;
  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(REQUEST_TIMEOUT_MS + 5_000);
    }
    if (node != null) {
      node.kill();
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @ParameterizedTest(name = "pg_ctl stop -m {0}")
  @ValueSource(strings = {"immediate", "fast"})
  @DisplayName("Sends fail fast with 503 unavailable while the database is down, readiness follows it, and afterwards everything acknowledged is stored with gapless seqs")
  void databaseOutage(String stopMode) throws Exception {
    postgres = PrivatePostgres.start();
    node = NodeProcess.startStandalone("node-" + stopMode, "127.0.0.1", postgres.database(), LOGS,
      "--send-rate", "1000", "--send-burst", "1000").awaitReady(Duration.ofSeconds(60));
    vertx = Vertx.vertx();

    WsTestClient listener = await(WsTestClient.connect(vertx, node.port, node.registerAndLogin("lena")));
    listener.join("general", 0);
    await(listener.next(WsTestClient.joined("general"), 10_000));

    List<String> senders = new ArrayList<>();
    for (int i = 1; i <= REST_SENDERS; i++) {
      String name = "rest" + i;
      String token = node.registerAndLogin(name);
      senders.add(name);
      startSender(name, (text, start) -> restSend(name, token, text, start));
    }
    for (int i = 1; i <= WS_SENDERS; i++) {
      String name = "ws" + i;
      WsTestClient socket = await(WsTestClient.connect(vertx, node.port, node.registerAndLogin(name)));
      senders.add(name);
      startSender(name, (text, start) -> wsSend(name, socket, text, start));
    }
    startThread("readiness", this::probeReadiness);

    assertThat(waitUntil(30_000, () -> outcomes.stream().filter(Outcome::acked).count() >= 60
      && probes.stream().anyMatch(p -> p.status() == 200)))
      .as("acks before the outage: %s", summary(outcomes)).isTrue();
    long downAt = now();
    postgres.stopServer(stopMode);
    long stoppedAt = now();
    Thread.sleep(Math.max(0, OUTAGE_MS - (stoppedAt - downAt)));
    long upAt = now();
    postgres.startServer();
    long startedAt = now();

    BooleanSupplier recovered = () -> probes.stream().anyMatch(p -> p.atMs() > startedAt && p.status() == 200)
      && senders.stream().allMatch(s -> outcomes.stream().anyMatch(o -> o.sender().equals(s) && o.acked() && o.startMs() > startedAt));
    boolean allRecovered = waitUntil(RECOVERY_LIMIT_MS + 30_000, recovered);
    Thread.sleep(2_000);
    running.set(false);
    for (Thread thread : threads) {
      thread.join(REQUEST_TIMEOUT_MS + 5_000);
    }

    List<JsonObject> history = node.history("general", node.registerAndLogin("auditor"));
    List<Outcome> all = List.copyOf(outcomes);
    report(stopMode, all, history, downAt, stoppedAt, upAt, startedAt);

    SoftAssertions soft = new SoftAssertions();
    List<Outcome> failed = all.stream().filter(o -> !o.acked()).toList();
    List<Outcome> outage = failed.stream().filter(o -> o.startMs() >= stoppedAt && o.endMs() <= upAt).toList();
    soft.assertThat(outage).as("sends refused while the database was down").isNotEmpty();
    soft.assertThat(failed.stream().filter(o -> o.status() != 503 || !"unavailable".equals(o.error())).limit(20).toList())
      .as("every failed send is a retryable 503 unavailable (status 0 = no answer within %d ms)", REQUEST_TIMEOUT_MS).isEmpty();
    soft.assertThat(failed.stream().filter(o -> o.sender().startsWith("rest")).filter(o -> !"1".equals(o.retryAfter())).limit(20).toList())
      .as("every REST refusal says when to retry (Retry-After: 1)").isEmpty();
    soft.assertThat(all.stream().filter(o -> o.latencyMs() > FAIL_LIMIT_MS).limit(20).toList())
      .as("sends answered later than %d ms", FAIL_LIMIT_MS).isEmpty();
    soft.assertThat(allRecovered).as("readiness back to 200 and every sender acked again after the restart").isTrue();

    long notReadyAt = probes.stream().filter(p -> p.atMs() >= downAt && p.status() != 200).mapToLong(Probe::atMs).min().orElse(-1);
    long readyAgainAt = probes.stream().filter(p -> p.atMs() >= startedAt && p.status() == 200).mapToLong(Probe::atMs).min().orElse(-1);
    soft.assertThat(probes.stream().anyMatch(p -> p.atMs() < downAt && p.status() == 200)).as("ready before the outage").isTrue();
    soft.assertThat(notReadyAt >= 0 && notReadyAt - downAt <= READINESS_FLIP_LIMIT_MS)
      .as("readiness 503 within %d ms of the stop (first at %d ms)", READINESS_FLIP_LIMIT_MS, notReadyAt - downAt).isTrue();
    soft.assertThat(readyAgainAt >= 0 && readyAgainAt - startedAt <= RECOVERY_LIMIT_MS)
      .as("readiness 200 within %d ms of the restart (first at %d ms)", RECOVERY_LIMIT_MS, readyAgainAt - startedAt).isTrue();

    List<Long> seqs = history.stream().map(m -> m.getLong("seq")).toList();
    soft.assertThat(seqs).as("history seqs are 1..N, each once").containsExactlyElementsOf(
      LongStream.rangeClosed(1, seqs.size()).boxed().toList());
    Map<Long, String> storedText = history.stream().collect(Collectors.toMap(m -> m.getLong("seq"), m -> m.getString("text"), (a, b) -> a));
    soft.assertThat(all.stream().filter(Outcome::acked).filter(o -> !o.text().equals(storedText.get(o.seq()))).limit(20).toList())
      .as("acknowledged sends whose seq does not hold their text in history").isEmpty();
    soft.assertThat(history.stream().map(m -> m.getString("text")).distinct().count()).as("no text stored twice").isEqualTo(history.size());

    List<Long> heard = await(listener.await(frames -> WsTestClient.seqs(frames).size() >= seqs.size(), 20_000)
      .recover(e -> Future.succeededFuture(listener.frames()))).stream()
      .filter(WsTestClient.type("message")).map(f -> f.getLong("seq")).toList();
    soft.assertThat(heard).as("a /ws listener joined throughout gets every stored seq once, in order")
      .containsExactlyElementsOf(seqs);
    soft.assertAll();
  }

  private Outcome restSend(String sender, String token, String text, long start) throws Exception {
    HttpResponse<String> response;
    try {
      response = node.call("POST", "/api/rooms/general/messages", token, new JsonObject().put("text", text),
        Duration.ofMillis(REQUEST_TIMEOUT_MS));
    } catch (java.net.http.HttpTimeoutException hang) {
      return new Outcome(sender, text, start, now(), 0, "no answer", null, null);
    }
    JsonObject body = response.body().startsWith("{") ? new JsonObject(response.body()) : new JsonObject();
    return new Outcome(sender, text, start, now(), response.statusCode(), body.getString("error"), body.getLong("seq"),
      response.headers().firstValue("retry-after").orElse(null));
  }

  private Outcome wsSend(String sender, WsTestClient socket, String text, long start) throws Exception {
    socket.send("general", text, text);
    JsonObject reply;
    try {
      reply = await(socket.next(WsTestClient.reply(text), REQUEST_TIMEOUT_MS));
    } catch (java.util.concurrent.ExecutionException hang) {
      return new Outcome(sender, text, start, now(), 0, "no answer", null, null);
    }
    return "ack".equals(reply.getString("type"))
      ? new Outcome(sender, text, start, now(), 201, null, reply.getLong("seq"), null)
      : new Outcome(sender, text, start, now(), reply.getInteger("code"), reply.getString("error"), null, null);
  }

  private void startSender(String name, Attempt attempt) {
    startThread(name, () -> {
      int n = 0;
      while (running.get()) {
        String text = name + "-" + (++n);
        long start = now();
        Outcome outcome;
        try {
          outcome = attempt.send(text, start);
        } catch (Exception e) {
          outcome = new Outcome(name, text, start, now(), -1, e.toString(), null, null);
        }
        outcomes.add(outcome);
        // A client backs off a little after a refusal instead of spinning.
        pause(outcome.acked() ? 20 : 200);
      }
    });
  }

  private void probeReadiness() {
    while (running.get()) {
      try {
        long at = now();
        probes.add(new Probe(at, node.call("GET", "/health/ready", null, null, Duration.ofSeconds(5)).statusCode()));
      } catch (Exception e) {
        probes.add(new Probe(now(), 0));
      }
      pause(200);
    }
  }

  private void startThread(String name, Runnable body) {
    Thread thread = new Thread(body, "outage-" + name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void report(String mode, List<Outcome> all, List<JsonObject> history, long downAt, long stoppedAt, long upAt,
                      long startedAt) {
    List<Outcome> failed = all.stream().filter(o -> !o.acked()).toList();
    Set<String> failedTexts = failed.stream().map(Outcome::text).collect(Collectors.toSet());
    long storedButRefused = history.stream().filter(m -> failedTexts.contains(m.getString("text"))).count();
    var failLatency = failed.stream().mapToLong(Outcome::latencyMs).summaryStatistics();
    long notReadyAt = probes.stream().filter(p -> p.atMs() >= downAt && p.status() != 200).mapToLong(Probe::atMs).min().orElse(-1);
    long readyAgainAt = probes.stream().filter(p -> p.atMs() >= startedAt && p.status() == 200).mapToLong(Probe::atMs).min().orElse(-1);
    long lastRecovery = all.stream().filter(o -> o.acked() && o.startMs() > startedAt)
      .collect(Collectors.groupingBy(Outcome::sender, Collectors.summarizingLong(Outcome::endMs)))
      .values().stream().mapToLong(s -> s.getMin() - startedAt).max().orElse(-1);
    System.out.printf("DatabaseOutageIT[%s]: pg stop took %d ms, outage %d ms, pg start took %d ms%n",
      mode, stoppedAt - downAt, upAt - downAt, startedAt - upAt);
    System.out.printf("  sends: %d acked, %d refused (%s), refusal latency min/avg/max %d/%.0f/%d ms, Retry-After seen: %s%n",
      all.size() - failed.size(), failed.size(), failed.stream().collect(Collectors.groupingBy(o -> o.status() + " " + o.error(),
        Collectors.counting())), failLatency.getMin(), failLatency.getAverage(), failLatency.getMax(),
      failed.stream().map(Outcome::retryAfter).filter(r -> r != null).distinct().toList());
    System.out.printf("  readiness: 503 %d ms after the stop, 200 again %d ms after the restart; every sender acked again %d ms after it%n",
      notReadyAt - downAt, readyAgainAt - startedAt, lastRecovery);
    System.out.printf("  history: %d stored (seq 1..%d), %d of them refused to their sender (commit outcome unknown)%n",
      history.size(), history.isEmpty() ? 0 : history.get(history.size() - 1).getLong("seq"), storedButRefused);
  }

  private static String summary(Collection<Outcome> outcomes) {
    return outcomes.stream().collect(Collectors.groupingBy(o -> o.status() + " " + o.error(), Collectors.counting())).toString();
  }

  private long now() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private static boolean waitUntil(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(REQUEST_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
  }
}
