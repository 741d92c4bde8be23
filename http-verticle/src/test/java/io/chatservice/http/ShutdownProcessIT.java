package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.connection.CloseReason;
import io.chatservice.http.testing.NodeProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to a real standalone {@code java -jar chat-node.jar}, on an H2 file
 * and on PostgreSQL, while a SockJS client, a raw /ws client and an SSE stream
 * listen to #general and two senders post as fast as the node answers; then a
 * new node on the same database shows what was kept. The node logs are in
 * target/shutdown-it/.
 */
@DisplayName("SIGTERM to a chat-node.jar process while clients listen and senders post")
class ShutdownProcessIT {

  private static final String GENERAL = ChatAddresses.room("general");
  private static final long EXIT_LIMIT_MS = 10_000;
  /** The shutdown hook runs at once; readiness must drop long before the node is gone. */
  private static final long NOT_READY_LIMIT_MS = 1_000;
  private static final int SENDERS = 2;
  private static final int ACKED_BEFORE_SIGNAL = 40;
  private static final Path LOGS = Path.of("target", "shutdown-it");
  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
    .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path dataDir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private Vertx vertx;
  private ExecutorService senderThreads;

  @AfterEach
  void tearDown() throws Exception {
    if (senderThreads != null) {
      senderThreads.shutdownNow();
    }
    for (NodeProcess node : nodes) {
      node.kill();
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2-file", "postgresql"})
  @DisplayName("Readiness drops at once, sends under way finish, every client is closed with 1012, the process exits within 10 s, and every acknowledged message is in history after a restart")
  void sigtermDrainsAndLosesNothing(String databaseKind) throws Exception {
    DatabaseConfig database = "postgresql".equals(databaseKind) ? TestDatabases.postgres()
      : new DatabaseConfig("jdbc:h2:file:" + dataDir.resolve("chat").toAbsolutePath(), "sa", "", 4);
    NodeProcess node = start(databaseKind, database).awaitReady(Duration.ofSeconds(60));
    vertx = Vertx.vertx();

    String listener = registerAndLogin(node, "lia");
    SockJsFrames sockJs = await(SockJsFrames.connect(vertx, node, listener));
    sockJs.send(new JsonObject().put("type", "register").put("address", GENERAL)
      .put("headers", new JsonObject().put("after", "0")));
    RawSocket ws = await(RawSocket.connect(vertx, node, listener));
    ws.send(new JsonObject().put("type", "join").put("room", "general").put("after", 0));
    SseStream sse = await(SseStream.open(vertx, node, listener));
    assertThat(waitUntil(5_000, () -> ws.frames.stream().anyMatch(f -> "joined".equals(f.getString("type")))
      && sse.text().contains(": connected"))).as("/ws joined (%s) and the SSE stream open (%s)", ws.frames, sse.text()).isTrue();

    List<Sender> senders = IntStream.rangeClosed(1, SENDERS)
      .mapToObj(i -> new Sender(node, registerAndLogin(node, "sam" + i))).toList();
    senderThreads = Executors.newFixedThreadPool(SENDERS);
    CompletableFuture<?>[] sending = senders.stream().map(s -> CompletableFuture.runAsync(s, senderThreads)).toArray(CompletableFuture[]::new);
    Supplier<Integer> acked = () -> senders.stream().mapToInt(s -> s.acked.size()).sum();
    assertThat(waitUntil(20_000, () -> acked.get() >= ACKED_BEFORE_SIGNAL
      && !sockJs.seqs().isEmpty() && !ws.seqs().isEmpty() && !sse.seqs().isEmpty()))
      .as("%d acknowledged (failures %s), received: sockjs %d, /ws %d, sse %d", acked.get(), failures(senders),
        sockJs.seqs().size(), ws.seqs().size(), sse.seqs().size()).isTrue();
    assertThat(failures(senders)).as("sender failures before the signal").isEmpty();

    long signalled = System.nanoTime();
    node.terminate();
    String notReady = pollUntilNotReady(node, signalled);
    boolean exited = node.awaitExit(Duration.ofMillis(EXIT_LIMIT_MS + 5_000));
    long exitMs = elapsedMs(signalled);
    CompletableFuture.allOf(sending).get(10, TimeUnit.SECONDS);
    waitUntil(2_000, () -> sockJs.closed.isDone() && ws.closed.isDone() && sse.ended.isDone());
    System.out.printf("[%s] SIGTERM: /health/ready %s; process exited %d ms after the signal (limit %d, status %s); "
        + "%d acknowledged; senders stopped on: %s; SockJS %s (WebSocket status %s), /ws %s %s, SSE %s%n",
      databaseKind, notReady, exitMs, EXIT_LIMIT_MS, exited ? node.exitValue() : "still running", acked.get(), failures(senders),
      sockJs.closeFrame(), sockJs.closed.getNow(null), ws.closeStatus, ws.closeReason, sse.closeEvent());

    // Independent expectations, all reported together; the restart below runs whatever they say.
    SoftAssertions softly = new SoftAssertions();
    softly.assertThat(notReady).as("the first non-200 answer of /health/ready after the signal")
      .matches("(503|refused: .*) after \\d+ ms");
    softly.assertThat(exited).as("exited at all; node log:%n%s", node.logTail(20)).isTrue();
    softly.assertThat(exitMs).as("ms from SIGTERM to exit").isLessThanOrEqualTo(EXIT_LIMIT_MS);
    // A send the node had accepted finishes (README: sends under way get up to 3 s); only new ones are refused.
    for (String failure : failures(senders)) {
      softly.assertThat(failure).as("why a sender stopped; node log:%n%s", node.logTail(20))
        .matches(".*(: 503 \\{\"error\":\"unavailable\",\"message\":\"This node is shutting down.*|java\\.net\\.ConnectException.*)");
    }
    // Every kind of client is told to reconnect elsewhere: 1012 service_restart.
    // vertx-web's SockJS close frame is always c[3000,"Go away!"], so the reason comes first as a bridge error frame.
    softly.assertThat(sockJs.closeNotice()).as("SockJS close notice (last frames %s)", sockJs.tail())
      .isEqualTo(new JsonObject().put("type", "err").put("body", "service_restart").put("failureCode", 1012)
        .put("failureType", "CLOSE").put("message", CloseReason.SHUTDOWN.advice));
    softly.assertThat(sockJs.closeFrame()).as("SockJS close frame after the notice").isNotNull();
    softly.assertThat(ws.closeStatus).as("/ws close status (reason %s)", ws.closeReason).isEqualTo((short) 1012);
    softly.assertThat(ws.closeReason).as("/ws close reason").startsWith("service_restart");
    JsonObject closeEvent = sse.closeEvent();
    softly.assertThat(closeEvent).as("SSE `event: close` (stream tail: %s)", sse.tail()).isNotNull();
    if (closeEvent != null) {
      softly.assertThat(closeEvent.getInteger("code")).as("SSE close event code").isEqualTo(1012);
      softly.assertThat(closeEvent.getString("error")).as("SSE close event error").isEqualTo("service_restart");
    }
    softly.assertThat(sse.ended.getNow("still open")).as("the SSE response after the close event").isEqualTo("end");

    // A node on the same database: nothing acknowledged is missing, seq has no gap.
    NodeProcess restarted = start(databaseKind + "-restarted", database).awaitReady(Duration.ofSeconds(60));
    List<JsonObject> history = history(restarted, registerAndLogin(restarted, "auditor"));
    List<JsonObject> acks = senders.stream().flatMap(s -> s.acked.stream()).toList();
    int n = history.size();
    softly.assertThat(history.stream().map(m -> m.getLong("seq")).toList()).as("history seqs").isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
    // A send under way when the node stopped accepting may be stored without its sender hearing back.
    softly.assertThat(n).as("history size vs %d acknowledged", acks.size()).isBetween(acks.size(), acks.size() + SENDERS);
    Map<Long, JsonObject> bySeq = history.stream().collect(Collectors.toMap(m -> m.getLong("seq"), m -> m));
    for (JsonObject ack : acks) {
      softly.assertThat(bySeq.get(ack.getLong("seq"))).as("the stored message at acknowledged seq %s", ack.getLong("seq")).isEqualTo(ack);
    }
    // What each client received before the close is history's beginning: in order, no gap, no duplicate.
    for (var received : List.of(new Received("sockjs", sockJs.seqs()), new Received("/ws", ws.seqs()), new Received("sse", sse.seqs()))) {
      softly.assertThat(received.seqs()).as("seqs %s received", received.client())
        .isEqualTo(LongStream.rangeClosed(1, received.seqs().size()).boxed().toList());
      softly.assertThat(received.seqs().size()).as("%s received no more than history holds", received.client()).isLessThanOrEqualTo(n);
    }
    System.out.printf("[%s] after restart: history 1..%d holds %d acknowledged; clients had received sockjs %d, /ws %d, sse %d%n",
      databaseKind, n, acks.size(), sockJs.seqs().size(), ws.seqs().size(), sse.seqs().size());
    softly.assertAll();
  }

  private record Received(String client, List<Long> seqs) {
  }

  private NodeProcess start(String name, DatabaseConfig database) {
    NodeProcess node = NodeProcess.startStandalone(name, "127.0.0.1", database, LOGS, "--send-rate", "1000", "--send-burst", "1000");
    nodes.add(node);
    return node;
  }

  /** Polls /health/ready right after the signal; "503 after N ms" or "refused: ... after N ms", or why neither came. */
  private static String pollUntilNotReady(NodeProcess node, long signalled) throws InterruptedException {
    HttpRequest ready = HttpRequest.newBuilder(node.uri("/health/ready")).timeout(Duration.ofMillis(500)).build();
    List<String> answers = new ArrayList<>();
    while (elapsedMs(signalled) < NOT_READY_LIMIT_MS) {
      try {
        int status = HTTP.send(ready, BodyHandlers.discarding()).statusCode();
        if (status != 200) {
          return status + " after " + elapsedMs(signalled) + " ms";
        }
        answers.add("200");
      } catch (IOException refused) {
        return "refused: " + refused.getClass().getSimpleName() + " after " + elapsedMs(signalled) + " ms";
      }
      Thread.sleep(10);
    }
    return "still ready " + NOT_READY_LIMIT_MS + " ms after the signal (" + answers.size() + " answers 200)";
  }

  private static List<String> failures(List<Sender> senders) {
    return senders.stream().map(s -> s.failure).filter(f -> f != null).toList();
  }

  /** Posts to #general one message after another, as fast as the node answers, until the first refusal. */
  private static final class Sender implements Runnable {
    final NodeProcess node;
    final String token;
    final List<JsonObject> acked = new CopyOnWriteArrayList<>();
    volatile String failure;

    Sender(NodeProcess node, String token) {
      this.node = node;
      this.token = token;
    }

    @Override
    public void run() {
      for (int i = 1; !Thread.currentThread().isInterrupted(); i++) {
        try {
          HttpResponse<String> response = call(node, "POST", "/api/rooms/general/messages", token,
            new JsonObject().put("text", "#" + i + " " + UUID.randomUUID()));
          if (response.statusCode() != 201) {
            failure = "#" + i + ": " + response.statusCode() + " " + response.body();
            return;
          }
          acked.add(new JsonObject(response.body()));
        } catch (IOException | InterruptedException e) {
          failure = "#" + i + ": " + e;
          return;
        }
      }
    }
  }

  /**
   * SockJS over its WebSocket transport, keeping every raw frame: the close
   * frame {@code c[code,"reason"]} is what this test is about, and
   * SockJsTestClient drops it.
   */
  private static final class SockJsFrames {
    final WebSocketClient client;
    final WebSocket socket;
    final List<String> frames = new CopyOnWriteArrayList<>();
    /** The WebSocket close status under the SockJS frames. */
    final CompletableFuture<Short> closed = new CompletableFuture<>();

    private SockJsFrames(WebSocketClient client, WebSocket socket) {
      this.client = client;
      this.socket = socket;
      socket.textMessageHandler(frames::add);
      socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    }

    static Future<SockJsFrames> connect(Vertx vertx, NodeProcess node, String token) {
      WebSocketClient client = vertx.createWebSocketClient();
      String uri = "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/websocket?token=" + token;
      return client.connect(new WebSocketConnectOptions().setHost(node.host).setPort(node.port).setURI(uri))
        .map(socket -> new SockJsFrames(client, socket));
    }

    void send(JsonObject frame) {
      socket.writeTextMessage(new JsonArray().add(frame.encode()).encode());
    }

    List<Long> seqs() {
      List<Long> seqs = new ArrayList<>();
      for (String frame : frames) {
        if (frame.startsWith("a[")) {
          for (Object item : new JsonArray(frame.substring(1))) {
            JsonObject message = new JsonObject((String) item);
            if (GENERAL.equals(message.getString("address")) && "rec".equals(message.getString("type"))) {
              seqs.add(message.getJsonObject("body").getLong("seq"));
            }
          }
        }
      }
      return seqs;
    }

    /** The bridge's {"type":"err","failureType":"CLOSE",...} frame that precedes the SockJS close. */
    JsonObject closeNotice() {
      for (String frame : frames) {
        if (frame.startsWith("a[")) {
          for (Object item : new JsonArray(frame.substring(1))) {
            JsonObject message = new JsonObject((String) item);
            if ("CLOSE".equals(message.getString("failureType"))) {
              return message;
            }
          }
        }
      }
      return null;
    }

    String closeFrame() {
      return frames.stream().filter(f -> f.startsWith("c[")).findFirst().orElse(null);
    }

    List<String> tail() {
      return frames.subList(Math.max(0, frames.size() - 3), frames.size());
    }
  }

  /** A raw /ws client: JSON text frames in, and the close status the server gave. */
  private static final class RawSocket {
    final WebSocketClient client;
    final WebSocket socket;
    final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile Short closeStatus;
    volatile String closeReason;

    private RawSocket(WebSocketClient client, WebSocket socket) {
      this.client = client;
      this.socket = socket;
      socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
      socket.closeHandler(v -> {
        closeStatus = socket.closeStatusCode();
        closeReason = socket.closeReason();
        closed.complete(null);
      });
    }

    static Future<RawSocket> connect(Vertx vertx, NodeProcess node, String token) {
      // Kept by the instance: Vert.x closes a client nothing references any more, and its sockets with it.
      WebSocketClient client = vertx.createWebSocketClient();
      return client.connect(new WebSocketConnectOptions().setHost(node.host).setPort(node.port).setURI("/ws?token=" + token))
        .map(socket -> new RawSocket(client, socket));
    }

    void send(JsonObject frame) {
      socket.writeTextMessage(frame.encode());
    }

    List<Long> seqs() {
      return frames.stream().filter(f -> "message".equals(f.getString("type"))).map(f -> f.getLong("seq")).toList();
    }
  }

  /** GET /sse?room=general&after=0 as text; ended completes with "end" or the failure that cut the stream. */
  private static final class SseStream {
    private static final Pattern CLOSE = Pattern.compile("event: close\ndata: (\\{.*})\n");
    private static final Pattern MESSAGE = Pattern.compile("event: message\nid: (\\d+)\n");
    final HttpClient client;
    final StringBuffer text = new StringBuffer();
    final CompletableFuture<String> ended = new CompletableFuture<>();

    private SseStream(HttpClient client, HttpClientResponse response) {
      this.client = client;
      response.handler(chunk -> text.append(chunk.toString()));
      response.endHandler(v -> ended.complete("end"));
      response.exceptionHandler(failure -> ended.complete("failed: " + failure));
    }

    static Future<SseStream> open(Vertx vertx, NodeProcess node, String token) {
      HttpClient client = vertx.createHttpClient();
      return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(node.host).setPort(node.port)
          .setURI("/sse?room=general&after=0&token=" + token))
        .compose(request -> request.send())
        .map(response -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /sse answered " + response.statusCode());
          }
          return new SseStream(client, response);
        });
    }

    String text() {
      return text.toString();
    }

    List<Long> seqs() {
      List<Long> seqs = new ArrayList<>();
      Matcher matcher = MESSAGE.matcher(text());
      while (matcher.find()) {
        seqs.add(Long.parseLong(matcher.group(1)));
      }
      return seqs;
    }

    JsonObject closeEvent() {
      Matcher matcher = CLOSE.matcher(text());
      return matcher.find() ? new JsonObject(matcher.group(1)) : null;
    }

    String tail() {
      String all = text();
      return all.substring(Math.max(0, all.length() - 300));
    }
  }

  private static String registerAndLogin(NodeProcess node, String user) {
    try {
      return node.registerAndLogin(user);
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("register and log in " + user + " on " + node.name, e);
    }
  }


  /** The whole room, page by page. */
  private static List<JsonObject> history(NodeProcess node, String token) throws Exception {
    return node.history("general", token);
  }

  private static HttpResponse<String> call(NodeProcess node, String method, String path, String token, JsonObject body)
    throws IOException, InterruptedException {
    return node.call(method, path, token, body);
  }


  private static boolean waitUntil(long timeoutMs, BooleanSupplier condition) throws InterruptedException {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (elapsedMs(start) > timeoutMs) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  private static long elapsedMs(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
