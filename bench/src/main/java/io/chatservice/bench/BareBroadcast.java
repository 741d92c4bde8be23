package io.chatservice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The floor the issue measures the service against, on this machine: a bare
 * Vert.x WebSocket broadcast with stock options (one event loop, NIO), no
 * auth, no storage, no ordering. It speaks just enough of /ws and the REST
 * API for the fan-out harness: accounts are accepted, "join" answers
 * "joined", "send" is numbered and written to every joined socket.
 * Run by the benchmark as {@code java -cp chat-bench.jar io.chatservice.bench.BareBroadcast <host> <port>}.
 */
public final class BareBroadcast {

  private final List<ServerWebSocket> joined = new ArrayList<>();
  private long seq;

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    new BareBroadcast().listen(vertx, args[0], Integer.parseInt(args[1]));
  }

  private void listen(Vertx vertx, String host, int port) {
    vertx.createHttpServer()
      .webSocketHandler(this::accept)
      .requestHandler(request -> request.response().putHeader("content-type", "application/json")
        .end(request.path().equals("/api/login") ? "{\"token\":\"bare\"}" : "{}"))
      .listen(port, host)
      .onFailure(failure -> {
        failure.printStackTrace();
        System.exit(1);
      });
  }

  private void accept(ServerWebSocket socket) {
    socket.closeHandler(v -> joined.remove(socket));
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      String room = frame.getString("room");
      switch (frame.getString("type")) {
        case "join" -> {
          joined.add(socket);
          socket.writeTextMessage(new JsonObject().put("type", "joined").put("room", room).put("lastSeq", seq).encode());
        }
        case "send" -> {
          String message = new JsonObject().put("type", "message").put("room", room).put("seq", ++seq)
            .put("from", "sender").put("text", frame.getString("text")).put("ts", System.currentTimeMillis()).encode();
          for (ServerWebSocket subscriber : joined) {
            subscriber.writeTextMessage(message);
          }
        }
        default -> { }
      }
    });
  }
}
