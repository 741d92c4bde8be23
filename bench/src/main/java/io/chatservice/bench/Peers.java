package io.chatservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.AtomicLong;

/** The load generator's clients: accounts over REST, subscribers and senders over /ws. */
final class Peers {

  private final Vertx vertx;
  private final HttpClient http;
  private final WebSocketClient[] sockets;
  private int next;

  /** One WebSocket client per source address, so many connections do not run out of ephemeral ports. */
  Peers(Vertx vertx, int sourceAddresses) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
    this.sockets = new WebSocketClient[sourceAddresses];
    for (int i = 0; i < sourceAddresses; i++) {
      sockets[i] = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setLocalAddress("127.0.0." + (2 + i))
        .setMaxConnections(100_000)
        .setMaxFrameSize(1 << 20));
    }
  }

  /** Registers (ignoring "taken") and logs in; the Future holds the JWT. */
  Future<String> account(BenchNode node, String user) {
    JsonObject credentials = new JsonObject().put("username", user).put("password", "bench-password-" + user);
    return post(node, "/api/register", credentials).recover(taken -> Future.succeededFuture())
      .compose(v -> post(node, "/api/login", credentials)).map(login -> login.getString("token"));
  }

  private Future<JsonObject> post(BenchNode node, String path, JsonObject body) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(node.host).setPort(node.port).setURI(path)
        .putHeader("content-type", "application/json"))
      .compose(request -> request.send(body.toBuffer()))
      .compose(response -> response.body().map(buffer -> {
        if (response.statusCode() >= 300) {
          throw new IllegalStateException(path + " -> " + response.statusCode() + " " + buffer);
        }
        return buffer.toJsonObject();
      }));
  }

  Future<WebSocket> connect(BenchNode node, String token) {
    WebSocketClient client = sockets[next++ % sockets.length];
    return client.connect(new WebSocketConnectOptions().setHost(node.host).setPort(node.port).setURI("/ws?token=" + token));
  }

  /** A /ws client in one room that checks order and measures latency from the sender's timestamp in the text. */
  static final class Subscriber {
    final WebSocket socket;
    private final Recorder latency;
    private final AtomicLong received;
    long lastSeq = -1;
    long lost;
    long duplicates;
    long errors;
    /** Joins refused as retryable (503, 429) and sent again, as a real client would. */
    long retries;
    String lastError;
    private String joinFrame;
    long joinedAt = -1;
    volatile boolean joined;

    private final Vertx vertx;

    Subscriber(Vertx vertx, WebSocket socket, Recorder latency, AtomicLong received) {
      this.vertx = vertx;
      this.socket = socket;
      this.latency = latency;
      this.received = received;
      socket.textMessageHandler(this::onFrame);
    }

    void join(String room, Long after) {
      JsonObject join = new JsonObject().put("type", "join").put("room", room);
      if (after != null) {
        join.put("after", after);
        lastSeq = after;
      }
      joinFrame = join.encode();
      socket.writeTextMessage(joinFrame);
    }

    /** Cheap parsing: the load generator's one core must keep up with hundreds of thousands of frames a second. */
    private void onFrame(String frame) {
      if (frame.startsWith("{\"type\":\"message\"")) {
        long seq = number(frame, "\"seq\":");
        if (lastSeq >= 0 && seq <= lastSeq) {
          duplicates++;
          return;
        }
        if (lastSeq >= 0 && seq > lastSeq + 1) {
          lost += seq - lastSeq - 1;
        }
        lastSeq = seq;
        received.incrementAndGet();
        int t = frame.indexOf("\"text\":\"t=");
        if (t > 0) {
          long sentAt = number(frame, "\"text\":\"t=");
          latency.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
        }
      } else if (frame.startsWith("{\"type\":\"joined\"")) {
        if (lastSeq < 0) {
          lastSeq = number(frame, "\"lastSeq\":");
        }
        joinedAt = System.nanoTime();
        joined = true;
      } else if (frame.startsWith("{\"type\":\"error\"")) {
        errors++;
        lastError = frame;
        long code = number(frame, "\"code\":");
        if (!joined && joinFrame != null && (code == 503 || code == 429)) {
          retries++;
          long backoff = 250L * Math.min(8, retries) + (long) (Math.random() * 250);
          vertx.setTimer(backoff, t -> socket.writeTextMessage(joinFrame));
        }
      }
    }

    private static long number(String frame, String key) {
      int start = frame.indexOf(key) + key.length();
      long value = 0;
      for (int i = start; i < frame.length(); i++) {
        char c = frame.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        value = value * 10 + (c - '0');
      }
      return value;
    }
  }

  /** 100-character texts carrying the send time, so receivers in this JVM can measure latency. */
  static String text(long sentAtNanos) {
    String head = "t=" + sentAtNanos + ";";
    return head + "x".repeat(Math.max(0, 100 - head.length()));
  }

  static Buffer sendFrame(String room, long sentAtNanos, long ref) {
    return Buffer.buffer(new JsonObject().put("type", "send").put("room", room).put("text", text(sentAtNanos)).put("ref", ref).encode());
  }

  Vertx vertx() {
    return vertx;
  }
}
