package io.chatservice.http.socket;

import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static io.chatservice.http.testing.WsTestClient.assertSeqs;
import static io.chatservice.http.testing.WsTestClient.joined;
import static io.chatservice.http.testing.WsTestClient.seqs;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The workaround that spares each /ws socket Vert.x's cross-thread write
 * queue: still taking effect (this fails after a Vert.x upgrade that moves
 * the internals it relies on), and writes still arrive in order and complete.
 * The slow-consumer cut over such sockets is WebSocketEndpointTest's.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("/ws sockets write straight to their channel")
class DirectWebSocketWritesTest {

  private static final int FRAMES = 2000;

  @Test
  @DisplayName("A socket upgraded as the edge does (strict thread mode, vertx-web) gets the direct queue; every write completes, in order")
  void upgradedSocketWritesDirectly(Vertx vertx, VertxTestContext testContext) {
    Promise<List<Object>> serverSide = Promise.promise();
    Router router = Router.router(vertx);
    router.get("/ws").handler(ctx -> {
      HttpConnection connection = ctx.request().connection();
      ctx.request().toWebSocket().onSuccess(socket -> {
        boolean applied = DirectWebSocketWrites.apply(connection);
        String queue = outboundQueue(connection);
        List<Future<Void>> writes = IntStream.range(0, FRAMES).mapToObj(i -> socket.writeTextMessage("frame " + i)).toList();
        Future.all(writes).onComplete(all -> serverSide.complete(List.of(applied, queue, all.succeeded())));
      });
    });
    List<String> received = new CopyOnWriteArrayList<>();
    Promise<Void> allReceived = Promise.promise();
    vertx.createHttpServer(new HttpServerOptions().setStrictThreadMode(true).setHost("127.0.0.1").setPort(0))
      .requestHandler(router)
      .listen()
      .compose(server -> vertx.createWebSocketClient().connect(server.actualPort(), "127.0.0.1", "/ws"))
      .compose(client -> {
        client.textMessageHandler(text -> {
          received.add(text);
          if (received.size() == FRAMES) {
            allReceived.complete();
          }
        });
        return Future.all(serverSide.future(), allReceived.future());
      })
      .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
        List<Object> server = serverSide.future().result();
        assertThat(server.get(0)).as("applied").isEqualTo(true);
        assertThat((String) server.get(1)).endsWith("$DirectOutboundMessageQueue");
        assertThat(server.get(2)).as("every write future succeeded").isEqualTo(true);
        assertThat(received).containsExactlyElementsOf(IntStream.range(0, FRAMES).mapToObj(i -> "frame " + i).toList());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("On a node every /ws socket is switched, and sends, acks and deliveries go through in order")
  void nodeSocketsAreSwitched(Vertx vertx, VertxTestContext testContext) {
    long before = DirectWebSocketWrites.switched();
    int sends = 200;
    TestNode.start(vertx).compose(node -> node.registerAndLogin("alice", "password-a")
        .compose(token -> Future.all(WsTestClient.connect(vertx, node.port, token), WsTestClient.connect(vertx, node.port, token))))
      .compose(both -> {
        WsTestClient sender = both.resultAt(0);
        WsTestClient reader = both.resultAt(1);
        reader.join("general");
        return reader.next(joined("general")).compose(j -> {
          IntStream.rangeClosed(1, sends).forEach(i -> sender.send("general", "m" + i, i));
          return Future.all(sender.await(frames -> frames.stream().filter(f -> "ack".equals(f.getString("type"))).count() == sends, 10_000),
            reader.await(frames -> seqs(frames).size() == sends, 10_000));
        }).map(done -> List.of(sender.frames(), reader.frames()));
      })
      .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
        assertThat(DirectWebSocketWrites.switched() - before).as("sockets switched").isEqualTo(2);
        assertThat(frames.get(0).stream().filter(f -> "ack".equals(f.getString("type"))).map(f -> f.getInteger("ref")))
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, sends).boxed().toList());
        assertSeqs(seqs(frames.get(1)), 1, sends, "the reader");
        assertThat(frames.get(1).stream().filter(f -> "message".equals(f.getString("type"))).map(f -> f.getString("text")))
          .containsExactlyElementsOf(IntStream.rangeClosed(1, sends).mapToObj(i -> "m" + i).toList());
        testContext.completeNow();
      })));
  }

  /** The class of the socket's outbound queue, looked up here independently of the class under test. */
  private static String outboundQueue(HttpConnection upgraded) {
    VertxHandler<?> handler = ((ConnectionBase) upgraded).channel().pipeline().get(VertxHandler.class);
    try {
      Field queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      return queue.get(handler.getConnection()).getClass().getName();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("Vert.x's connection has no outboundMessageQueue any more: re-check DirectWebSocketWrites", e);
    }
  }
}
