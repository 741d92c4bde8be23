package io.chatservice.http.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * A client of the raw WebSocket endpoint /ws: JSON text frames in and out,
 * every received frame kept in arrival order for assertions about order.
 */
public final class WsTestClient {

  private final Vertx vertx;
  // Kept by the instance: Vert.x closes a client nothing references any more, and its sockets with it.
  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<JsonObject> log = new ArrayList<>();
  private final List<JsonObject> unclaimed = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Short> closed = Promise.promise();
  private Consumer<JsonObject> listener = frame -> { };

  /** A wait for the frames so far to satisfy a condition. */
  private record Waiter(Predicate<List<JsonObject>> condition, Promise<List<JsonObject>> promise) {
  }

  private WsTestClient(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(this::onText);
    socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));
  }

  /** Opens /ws with the token in the query (null: no token). */
  public static Future<WsTestClient> connect(Vertx vertx, int port, String token) {
    return connect(vertx, new WebSocketClientOptions(), wsOptions(port, token));
  }

  public static WebSocketConnectOptions wsOptions(int port, String token) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
      .setURI("/ws" + (token == null ? "" : "?token=" + token));
  }

  public static Future<WsTestClient> connect(Vertx vertx, WebSocketClientOptions clientOptions, WebSocketConnectOptions options) {
    WebSocketClient client = vertx.createWebSocketClient(clientOptions);
    return client.connect(options)
      .map(ws -> new WsTestClient(vertx, client, ws))
      .onFailure(e -> client.close());
  }

  private void onText(String text) {
    JsonObject frame = new JsonObject(text);
    List<Promise<List<JsonObject>>> done = new ArrayList<>();
    List<JsonObject> snapshot;
    synchronized (this) {
      log.add(frame);
      unclaimed.add(frame);
      listener.accept(frame);
      snapshot = List.copyOf(log);
      Iterator<Waiter> it = waiters.iterator();
      while (it.hasNext()) {
        Waiter waiter = it.next();
        if (waiter.condition().test(snapshot)) {
          it.remove();
          done.add(waiter.promise());
        }
      }
    }
    done.forEach(p -> p.tryComplete(snapshot));
  }

  /** Called with each frame as it arrives, on the client's event loop. */
  public synchronized WsTestClient onFrame(Consumer<JsonObject> listener) {
    this.listener = listener;
    return this;
  }

  public WsTestClient write(JsonObject frame) {
    socket.writeTextMessage(frame.encode());
    return this;
  }

  public WsTestClient writeText(String text) {
    socket.writeTextMessage(text);
    return this;
  }

  public WsTestClient writeBinary(Buffer data) {
    socket.writeBinaryMessage(data);
    return this;
  }

  public WsTestClient join(String room) {
    return write(new JsonObject().put("type", "join").put("room", room));
  }

  public WsTestClient join(String room, long after) {
    return write(new JsonObject().put("type", "join").put("room", room).put("after", after));
  }

  public WsTestClient leave(String room) {
    return write(new JsonObject().put("type", "leave").put("room", room));
  }

  public WsTestClient send(String room, String text, Object ref) {
    return write(new JsonObject().put("type", "send").put("room", room).put("text", text).put("ref", ref));
  }

  /** Stops reading: once Vert.x's inbound queue is full the TCP connection stops being read too. */
  public WsTestClient pause() {
    socket.pause();
    return this;
  }

  public WsTestClient resume() {
    socket.resume();
    return this;
  }

  /** Every frame received so far, in arrival order. */
  public synchronized List<JsonObject> frames() {
    return List.copyOf(log);
  }

  /** The first frame, already received or still to come, not returned by an earlier call, that matches. */
  public Future<JsonObject> next(Predicate<JsonObject> match, long timeoutMs) {
    synchronized (this) {
      for (JsonObject frame : unclaimed) {
        if (match.test(frame)) {
          unclaimed.remove(frame);
          return Future.succeededFuture(frame);
        }
      }
    }
    return await(frames -> unclaimed.stream().anyMatch(match), timeoutMs).map(frames -> {
      synchronized (this) {
        JsonObject frame = unclaimed.stream().filter(match).findFirst().orElseThrow();
        unclaimed.remove(frame);
        return frame;
      }
    });
  }

  public Future<JsonObject> next(Predicate<JsonObject> match) {
    return next(match, 5000);
  }

  /** Completes with all frames received once they satisfy the condition; fails after the timeout. */
  public Future<List<JsonObject>> await(Predicate<List<JsonObject>> condition, long timeoutMs) {
    Promise<List<JsonObject>> promise = Promise.promise();
    Waiter waiter = new Waiter(condition, promise);
    synchronized (this) {
      if (condition.test(log)) {
        return Future.succeededFuture(List.copyOf(log));
      }
      waiters.add(waiter);
    }
    vertx.setTimer(timeoutMs, id -> {
      synchronized (this) {
        if (!waiters.remove(waiter)) {
          return;
        }
      }
      promise.tryFail(new AssertionError("condition not met within " + timeoutMs + " ms; received " + summary()));
    });
    return promise.future();
  }

  /** Succeeds if no frame matches during the wait: for "nothing arrives" checks, paired with a positive control. */
  public Future<Void> none(Predicate<JsonObject> match, long waitMs) {
    return next(match, waitMs).transform(done -> done.succeeded()
      ? Future.failedFuture(new AssertionError("unexpected frame " + done.result()))
      : Future.succeededFuture());
  }

  /** The close status code once the socket is closed (1006 when it ended without a close frame). */
  public Future<Short> closed() {
    return closed.future();
  }

  /** Like {@link #closed()}, but fails if the socket is still open after the timeout. */
  public Future<Short> closed(long timeoutMs) {
    return closed.future().timeout(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)
      .recover(e -> Future.failedFuture(new AssertionError("still open after " + timeoutMs + " ms")));
  }

  public String closeReason() {
    return socket.closeReason();
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  private synchronized String summary() {
    List<String> shown = log.stream().map(JsonObject::encode).map(s -> s.length() > 200 ? s.substring(0, 200) + "..." : s).toList();
    return shown.size() > 30 ? shown.size() + " frames, last " + shown.subList(shown.size() - 30, shown.size()) : shown.toString();
  }

  public Future<Void> close() {
    if (!socket.isClosed()) {
      socket.close();
    }
    return closed.future().timeout(5, java.util.concurrent.TimeUnit.SECONDS).<Void>mapEmpty()
      .eventually(client::close);
  }

  // Type predicates, for next() and filters.

  public static Predicate<JsonObject> type(String type) {
    return frame -> type.equals(frame.getString("type"));
  }

  public static Predicate<JsonObject> message(String room) {
    return frame -> "message".equals(frame.getString("type")) && room.equals(frame.getString("room"));
  }

  public static Predicate<JsonObject> joined(String room) {
    return frame -> "joined".equals(frame.getString("type")) && room.equals(frame.getString("room"));
  }

  public static Predicate<JsonObject> reply(Object ref) {
    return frame -> ("ack".equals(frame.getString("type")) || "error".equals(frame.getString("type")))
      && ref.equals(frame.getValue("ref"));
  }

  public static Predicate<JsonObject> presence(String user, boolean online) {
    return frame -> "presence".equals(frame.getString("type")) && user.equals(frame.getString("user"))
      && Boolean.valueOf(online).equals(frame.getBoolean("online"));
  }

  /** The seqs of the message frames, in arrival order. */
  public static List<Long> seqs(List<JsonObject> frames) {
    return frames.stream().filter(type("message")).map(f -> f.getLong("seq")).toList();
  }

  /** Asserts seqs are exactly from..to in order; on failure names what is missing or out of order, not the whole list. */
  public static void assertSeqs(List<Long> seqs, long from, long to, String who) {
    List<Long> expected = LongStream.rangeClosed(from, to).boxed().toList();
    if (!seqs.equals(expected)) {
      List<Long> missing = expected.stream().filter(seq -> !seqs.contains(seq)).limit(20).toList();
      List<Long> outOfOrder = IntStream.range(1, seqs.size()).filter(i -> seqs.get(i) <= seqs.get(i - 1)).limit(20)
        .mapToObj(seqs::get).toList();
      throw new AssertionError(String.format("%s should get seq %d..%d exactly once, in order; got %d messages, missing %s, "
        + "duplicated or out of order %s", who, from, to, seqs.size(), missing, outOfOrder));
    }
  }

  public static Predicate<JsonObject> errorWithoutRef() {
    return frame -> "error".equals(frame.getString("type")) && !frame.containsKey("ref");
  }
}
