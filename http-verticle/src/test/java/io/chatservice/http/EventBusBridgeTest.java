package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.testing.SockJsTestClient;
import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.chatservice.http.testing.SockJsTestClient.errorBody;
import static io.chatservice.http.testing.SockJsTestClient.to;
import static org.assertj.core.api.Assertions.assertThat;

/** The SockJS bridge with a real SockJS WebSocket client, as the official JS client uses it. */
@ExtendWith(VertxExtension.class)
class EventBusBridgeTest {

  private static final String GENERAL = ChatAddresses.room("general");

  private TestNode node;
  private String alice;
  private String bob;
  private String carol;

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext testContext) {
    TestNode.start(vertx)
      .compose(started -> {
        node = started;
        return node.registerAndLoginAll("alice", "bob", "carol");
      })
      .onComplete(testContext.succeeding(tokens -> {
        alice = tokens.get(0);
        bob = tokens.get(1);
        carol = tokens.get(2);
        testContext.completeNow();
      }));
  }

  @Test
  @DisplayName("A socket without a valid token is refused at the handshake")
  void unauthenticatedSocketIsRefused(Vertx vertx, VertxTestContext testContext) {
    Future.all(
        SockJsTestClient.connect(vertx, node.port, null).transform(done -> Future.succeededFuture(done.cause())),
        SockJsTestClient.connect(vertx, node.port, "not.a.jwt").transform(done -> Future.succeededFuture(done.cause())),
        SockJsTestClient.connect(vertx, node.port, alice).map(client -> (Throwable) null))
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertThat((Throwable) all.resultAt(0)).isInstanceOf(UpgradeRejectedException.class);
        assertThat(((UpgradeRejectedException) all.resultAt(0)).getStatus()).isEqualTo(401);
        assertThat(((UpgradeRejectedException) all.resultAt(1)).getStatus()).isEqualTo(401);
        assertThat((Throwable) all.resultAt(2)).as("control: a valid token connects").isNull();
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("chat.send replies with the receipt and the room delivers the message, stamped with the real sender")
  void sendAndReceive(Vertx vertx, VertxTestContext testContext) {
    SockJsTestClient.connect(vertx, node.port, bob).compose(listener -> {
      listener.register(GENERAL);
      return SockJsTestClient.connect(vertx, node.port, alice).compose(sender -> {
        // Spoofing attempts: a "from" in the body and in the headers.
        JsonObject frame = new JsonObject().put("type", "send").put("address", ChatAddresses.SEND)
          .put("body", new JsonObject().put("room", "general").put("text", "hello <script>").put("from", "bob"))
          .put("headers", new JsonObject().put("from", "bob"))
          .put("replyAddress", "reply-1");
        // Give the registration a moment to reach the bus before the message is published.
        return vertx.timer(200).compose(t -> {
          sender.write(frame);
          return Future.all(sender.next(to("reply-1")), listener.next(to(GENERAL)));
        });
      });
    }).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      JsonObject reply = ((JsonObject) all.resultAt(0)).getJsonObject("body");
      JsonObject delivered = ((JsonObject) all.resultAt(1)).getJsonObject("body");
      assertThat(reply.fieldNames()).containsExactlyInAnyOrder("id", "room", "seq", "ts");
      assertThat(reply.getLong("seq")).isEqualTo(1L);
      assertThat(delivered.getString("from")).isEqualTo("alice");
      assertThat(delivered.getString("text")).isEqualTo("hello <script>");
      assertThat(delivered.getLong("id")).isEqualTo(reply.getLong("id"));
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("A failed chat.send reaches the client's reply handler with the contract's code")
  void sendFailuresCarryCodes(Vertx vertx, VertxTestContext testContext) {
    SockJsTestClient.connect(vertx, node.port, carol).compose(client -> {
      String tooLong = client.request(ChatAddresses.SEND, new JsonObject().put("room", "general").put("text", "x".repeat(4001)));
      String notMine = client.request(ChatAddresses.SEND, new JsonObject().put("room", "dm:alice:bob").put("text", "hi"));
      String unknown = client.request(ChatAddresses.SEND, new JsonObject().put("room", "nowhere").put("text", "hi"));
      String malformed = client.request(ChatAddresses.SEND, "just a string");
      return Future.all(client.next(to(tooLong)), client.next(to(notMine)), client.next(to(unknown)), client.next(to(malformed)));
    }).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      int[] codes = new int[4];
      for (int i = 0; i < 4; i++) {
        JsonObject err = all.resultAt(i);
        assertThat(err.getString("type")).isEqualTo("err");
        codes[i] = err.getInteger("failureCode");
      }
      assertThat(codes).containsExactly(413, 403, 404, 400);
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Only its owner may register chat.user.<name>, only participants a dm; others get an error, not silence")
  void privateAddressesAreGuarded(Vertx vertx, VertxTestContext testContext) {
    SockJsTestClient.connect(vertx, node.port, carol).compose(intruder -> {
      intruder.register(ChatAddresses.user("alice"));
      intruder.register(ChatAddresses.room("dm:alice:bob"));
      intruder.register(ChatAddresses.room("dm:bob:alice"));
      return Future.all(
        intruder.next(frame -> to(ChatAddresses.user("alice")).test(frame) && frame.getInteger("failureCode") == 403),
        intruder.next(frame -> to(ChatAddresses.room("dm:alice:bob")).test(frame) && frame.getInteger("failureCode") == 403),
        intruder.next(frame -> to(ChatAddresses.room("dm:bob:alice")).test(frame) && frame.getInteger("failureCode") == 422),
        intruder.next(errorBody("rejected")));
    }).compose(refused -> SockJsTestClient.connect(vertx, node.port, bob).compose(owner -> {
      owner.register(ChatAddresses.user("bob"));
      owner.register(ChatAddresses.room("dm:alice:bob"));
      return vertx.timer(200)
        .compose(t -> node.client.post("/api/rooms/dm:alice:bob/messages").bearerTokenAuthentication(alice)
          .sendJsonObject(new JsonObject().put("text", "for bob only")))
        .compose(posted -> Future.all(owner.next(to(ChatAddresses.user("bob"))), owner.next(to(ChatAddresses.room("dm:alice:bob")))));
    })).onComplete(testContext.succeeding(all -> testContext.verify(() -> {
      JsonObject dmEvent = ((JsonObject) all.resultAt(0)).getJsonObject("body");
      assertThat(dmEvent).isEqualTo(new JsonObject().put("type", "dm").put("room", "dm:alice:bob").put("with", "alice"));
      assertThat(((JsonObject) all.resultAt(1)).getJsonObject("body").getString("text")).isEqualTo("for bob only");
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Publishing, and sending or registering anything outside the contract's addresses, is refused")
  void everythingElseIsRefused(Vertx vertx, VertxTestContext testContext) {
    SockJsTestClient.connect(vertx, node.port, alice).compose(client -> {
      client.register(GENERAL);
      client.write(new JsonObject().put("type", "publish").put("address", ChatAddresses.SEND)
        .put("body", new JsonObject().put("room", "general").put("text", "published")));
      Future<JsonObject> refused = client.next(errorBody("access_denied"));
      return refused.compose(r -> {
        client.request(ChatAddresses.HISTORY, new JsonObject().put("user", "bob").put("room", "dm:alice:bob").put("limit", 5));
        return client.next(errorBody("access_denied"));
      }).compose(denied -> {
        client.register(ChatAddresses.INTERNAL_PREFIX + "users.list");
        return client.next(errorBody("access_denied"));
      }).compose(denied -> client.none(to(GENERAL), 300));
    }).compose(v -> node.client.get("/api/rooms/general/messages").bearerTokenAuthentication(alice).send())
      .onComplete(testContext.succeeding(history -> testContext.verify(() -> {
        assertThat(history.bodyAsJsonArray()).as("the published message was not stored").isEmpty();
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("A socket makes its user online on /api/users and chat.presence until it closes")
  void socketsDrivePresence(Vertx vertx, VertxTestContext testContext) {
    SockJsTestClient.connect(vertx, node.port, bob).compose(watcher -> {
      watcher.register(ChatAddresses.PRESENCE);
      return vertx.timer(200).compose(t -> SockJsTestClient.connect(vertx, node.port, alice))
        .compose(aliceSocket -> watcher.next(frame -> to(ChatAddresses.PRESENCE).test(frame)
            && frame.getJsonObject("body").equals(new JsonObject().put("user", "alice").put("online", true)))
          .compose(online -> users(alice))
          .compose(whileOnline -> aliceSocket.close()
            .compose(closed -> watcher.next(frame -> to(ChatAddresses.PRESENCE).test(frame)
              && frame.getJsonObject("body").equals(new JsonObject().put("user", "alice").put("online", false))))
            .compose(offline -> users(bob))
            .map(afterClose -> new JsonObject[]{whileOnline, afterClose})));
    }).onComplete(testContext.succeeding(views -> testContext.verify(() -> {
      assertThat(views[0].getBoolean("alice")).isTrue();
      assertThat(views[0].getBoolean("bob")).isTrue();
      assertThat(views[1].getBoolean("alice")).isFalse();
      assertThat(views[1].getBoolean("carol")).isFalse();
      testContext.completeNow();
    })));
  }

  /** /api/users as {name: online}. */
  private Future<JsonObject> users(String token) {
    return node.client.get("/api/users").bearerTokenAuthentication(token).send().map(response -> {
      JsonObject online = new JsonObject();
      response.bodyAsJsonArray().forEach(u -> online.put(((JsonObject) u).getString("username"), ((JsonObject) u).getBoolean("online")));
      return online;
    });
  }
}
