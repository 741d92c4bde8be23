package io.chatservice.http.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A SockJS client over the WebSocket transport, speaking the wire protocol
 * the official vertx-eventbus.js speaks: SockJS framing ("o", "h", "a[...]",
 * "c[...]") around the bridge's JSON frames.
 */
public final class SockJsTestClient {

  private final Vertx vertx;
  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<JsonObject> received = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final Promise<Void> closed = Promise.promise();

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {
  }

  private SockJsTestClient(Vertx vertx, WebSocketClient client, WebSocket socket) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(this::onFrame);
    socket.closeHandler(v -> closed.tryComplete());
  }

  /** Opens /eventbus/{server}/{session}/websocket with the token in the query (null: no token). */
  public static Future<SockJsTestClient> connect(Vertx vertx, int port, String token) {
    return connect(vertx, "127.0.0.1", port, token);
  }

  public static Future<SockJsTestClient> connect(Vertx vertx, String host, int port, String token) {
    String uri = "/eventbus/000/" + UUID.randomUUID().toString().substring(0, 8) + "/websocket"
      + (token == null ? "" : "?token=" + token);
    // Kept by the instance: Vert.x closes a client nothing references any more, and its sockets with it.
    // Takes whole what the node sends: a SockJS frame may batch several bridge frames.
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20).setMaxFrameSize(1 << 20));
    return client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri))
      .map(ws -> new SockJsTestClient(vertx, client, ws));
  }

  private void onFrame(String frame) {
    if (!frame.startsWith("a")) {
      return;
    }
    // Waiters complete outside the lock and the loop: their callbacks may ask for the next frame.
    List<Runnable> matched = new ArrayList<>();
    synchronized (this) {
      for (Object item : new JsonArray(frame.substring(1))) {
        JsonObject message = new JsonObject((String) item);
        received.add(message);
        Iterator<Waiter> it = waiters.iterator();
        while (it.hasNext()) {
          Waiter waiter = it.next();
          if (waiter.match().test(message)) {
            it.remove();
            matched.add(() -> waiter.promise().complete(message));
          }
        }
      }
    }
    matched.forEach(Runnable::run);
  }

  public SockJsTestClient write(JsonObject frame) {
    socket.writeTextMessage(new JsonArray().add(frame.encode()).encode());
    return this;
  }

  /** One bridge frame as raw text, JSON or not, in SockJS framing. */
  public SockJsTestClient writeRaw(String frameText) {
    socket.writeTextMessage(new JsonArray().add(frameText).encode());
    return this;
  }

  /** Completes when the socket is closed, by either side. */
  public Future<Void> closed() {
    return closed.future();
  }

  public SockJsTestClient register(String address) {
    return write(new JsonObject().put("type", "register").put("address", address));
  }

  /** A room registration that first replays what is stored after {@code after}. */
  public SockJsTestClient register(String address, long after) {
    return write(new JsonObject().put("type", "register").put("address", address)
      .put("headers", new JsonObject().put("after", String.valueOf(after))));
  }

  /** Every frame received so far for an address, in arrival order. */
  public synchronized List<JsonObject> receivedFor(String address) {
    return received.stream().filter(address == null ? f -> true : to(address)).toList();
  }

  /** A request as the official client sends it; returns the reply address to wait on. */
  public String request(String address, Object body) {
    String replyAddress = UUID.randomUUID().toString();
    write(new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress));
    return replyAddress;
  }

  /** The first frame, already received or still to come, that matches; fails after the timeout. */
  public synchronized Future<JsonObject> next(Predicate<JsonObject> match, long timeoutMs) {
    for (JsonObject message : received) {
      if (match.test(message)) {
        received.remove(message);
        return Future.succeededFuture(message);
      }
    }
    Promise<JsonObject> promise = Promise.promise();
    Waiter waiter = new Waiter(match, promise);
    waiters.add(waiter);
    vertx.setTimer(timeoutMs, id -> {
      synchronized (this) {
        if (!waiters.remove(waiter)) {
          return;
        }
      }
      promise.fail(new AssertionError("no frame matched within " + timeoutMs + " ms; received " + received));
    });
    return promise.future();
  }

  public Future<JsonObject> next(Predicate<JsonObject> match) {
    return next(match, 5000);
  }

  /** Succeeds if no frame matches during the wait: for "nothing arrives" checks, paired with a positive control. */
  public Future<Void> none(Predicate<JsonObject> match, long waitMs) {
    return next(match, waitMs).transform(done -> done.succeeded()
      ? Future.failedFuture(new AssertionError("unexpected frame " + done.result()))
      : Future.succeededFuture());
  }

  public static Predicate<JsonObject> to(String address) {
    return frame -> address.equals(frame.getString("address"));
  }

  public static Predicate<JsonObject> errorBody(String body) {
    return frame -> "err".equals(frame.getString("type")) && body.equals(frame.getString("body"));
  }

  public Future<Void> close() {
    socket.close();
    return closed.future().eventually(client::close);
  }
}
