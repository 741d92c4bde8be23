package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.testing.SockJsTestClient;
import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every spelling of alice and bob's dm id, and of alice's user address, on
 * every transport, from carol: all refused, and nothing reaches her. The
 * owners' own odd spellings are refused too, and never open a second room.
 * (RestApiTest and EventBusBridgeTest cover the plain cases.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, timeUnit = TimeUnit.MINUTES)
@DisplayName("Address spellings")
class AddressSpellingTest {

  private static final String DM = "dm:alice:bob";
  /** Respellings of DM as they arrive at the server, after any decoding of the transport. */
  private static final List<String> SPELLINGS = List.of("dm:bob:alice", "DM:alice:bob", "dm:Alice:bob", "dm:alice:BOB",
    " dm:alice:bob", "dm:alice:bob ", "dm:alice:bob\u0000", "dm:alice:bob.", "dm:alice:bob/", "dm:alice:bob+",
    "dm%3Aalice%3Abob", "dm:%61lice:bob", "dm%253Aalice%253Abob", "dm:alice:b\u043eb", "ｄｍ:alice:bob", "dm\uff1aalice\uff1abob",
    "dm:alice:bob\u200b", "dm::alice:bob", "dm:alice::bob", "dm:alice:bob:carol");
  private static final List<String> USER_SPELLINGS = List.of("alice", "Alice", "ALICE", " alice", "alice ", "alice.",
    "%61lice", "ａｌｉｃｅ", "alice/");

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
      .compose(tokens -> {
        alice = tokens.get(0);
        bob = tokens.get(1);
        carol = tokens.get(2);
        return node.client.post("/api/rooms/" + DM + "/messages").bearerTokenAuthentication(alice)
          .sendJsonObject(new JsonObject().put("text", "first"));
      })
      .onComplete(testContext.succeeding(created -> testContext.verify(() -> {
        assertThat(created.statusCode()).isEqualTo(201);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("REST read and post, /sse, /ws join and send: every spelling is refused for an intruder and for the owners")
  void restSseAndWebSocket(Vertx vertx, VertxTestContext testContext) {
    List<String> problems = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String token : List.of(carol, alice)) {
      for (String spelling : SPELLINGS) {
        String encoded = URLEncoder.encode(spelling, StandardCharsets.UTF_8).replace("+", "%20");
        chain = chain
          .compose(v -> node.client.get("/api/rooms/" + encoded + "/messages").bearerTokenAuthentication(token).send())
          .map(r -> refused("GET " + spelling, r.statusCode(), r.bodyAsString(), problems))
          .compose(v -> node.client.post("/api/rooms/" + encoded + "/messages").bearerTokenAuthentication(token)
            .sendJsonObject(new JsonObject().put("text", "intruder")))
          .map(r -> refused("POST " + spelling, r.statusCode(), r.bodyAsString(), problems))
          .compose(v -> node.client.get("/sse?room=" + encoded).bearerTokenAuthentication(token).send())
          .map(r -> refused("SSE " + spelling, r.statusCode(), r.bodyAsString(), problems));
      }
    }
    chain.compose(v -> WsTestClient.connect(vertx, node.port, carol)).compose(ws -> {
      List<Future<JsonObject>> answers = new ArrayList<>();
      for (int i = 0; i < SPELLINGS.size(); i++) {
        ws.write(new JsonObject().put("type", "join").put("room", SPELLINGS.get(i)).put("ref", "j" + i));
        ws.send(SPELLINGS.get(i), "intruder", "s" + i);
        answers.add(ws.next(WsTestClient.reply("j" + i)));
        answers.add(ws.next(WsTestClient.reply("s" + i)));
      }
      ws.join(DM);
      return Future.all(answers).map(all -> {
        all.<JsonObject>list().forEach(frame -> {
          if (!"error".equals(frame.getString("type")) || frame.getInteger("code") < 403 || frame.getInteger("code") > 422) {
            problems.add("/ws " + frame.encode());
          }
        });
        return ws;
      });
    }).compose(ws -> node.client.post("/api/rooms/" + DM + "/messages").bearerTokenAuthentication(alice)
        .sendJsonObject(new JsonObject().put("text", "secret")).compose(posted -> ws.none(f -> "message".equals(f.getString("type")), 500))
        .eventually(ws::close))
      .compose(v -> node.client.get("/api/rooms").bearerTokenAuthentication(alice).send())
      .compose(rooms -> node.client.get("/api/rooms/" + DM + "/messages").bearerTokenAuthentication(bob).send()
        .map(history -> List.of(rooms.bodyAsJsonArray(), history.bodyAsJsonArray())))
      .onComplete(testContext.succeeding(lists -> testContext.verify(() -> {
        assertThat(problems).isEmpty();
        JsonArray rooms = lists.get(0);
        assertThat(rooms.stream().map(r -> ((JsonObject) r).getString("name")).filter(n -> n.startsWith("dm")))
          .as("one dm, no alias").containsExactly(DM);
        assertThat(lists.get(1).stream().map(m -> ((JsonObject) m).getString("text"))).containsExactly("first", "secret");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("SockJS: registering any spelling of the dm or of chat.user.alice, or sending to one, is refused and delivers nothing")
  void bridge(Vertx vertx, VertxTestContext testContext) {
    List<String> problems = new ArrayList<>();
    SockJsTestClient.connect(vertx, node.port, carol).compose(intruder -> {
      List<Future<JsonObject>> answers = new ArrayList<>();
      for (String spelling : SPELLINGS) {
        String address = ChatAddresses.room(spelling);
        intruder.register(address);
        answers.add(intruder.next(SockJsTestClient.to(address)));
        String reply = intruder.request(ChatAddresses.SEND, new JsonObject().put("room", spelling).put("text", "intruder"));
        answers.add(intruder.next(SockJsTestClient.to(reply)));
      }
      intruder.register(ChatAddresses.user("carol"));
      for (String spelling : USER_SPELLINGS) {
        String address = ChatAddresses.user(spelling);
        intruder.register(address);
        answers.add(intruder.next(SockJsTestClient.to(address)));
      }
      return Future.all(answers).map(all -> {
        all.<JsonObject>list().forEach(frame -> {
          if (!"err".equals(frame.getString("type")) || frame.getInteger("failureCode") < 403 || frame.getInteger("failureCode") > 422) {
            problems.add("bridge " + frame.encode());
          }
        });
        return intruder;
      });
    }).compose(intruder -> vertx.timer(200).compose(t -> node.client.post("/api/dms").bearerTokenAuthentication(bob)
        .sendJsonObject(new JsonObject().put("with", "carol"))
        .compose(v -> node.client.post("/api/rooms/" + DM + "/messages").bearerTokenAuthentication(alice)
          .sendJsonObject(new JsonObject().put("text", "secret")))
        // carol gets her own dm event from bob (the control), and nothing of alice's.
        .compose(v -> intruder.next(f -> "rec".equals(f.getString("type")) && ChatAddresses.user("carol").equals(f.getString("address")), 5000)
          .map(x -> intruder))
        .compose(v -> intruder.none(f -> "rec".equals(f.getString("type")) && String.valueOf(f.getValue("body")).contains("secret"), 500)
          .map(x -> intruder))))
      .onComplete(testContext.succeeding(intruder -> testContext.verify(() -> {
        assertThat(problems).isEmpty();
        testContext.completeNow();
      })));
  }

  private static Void refused(String label, int status, String body, List<String> problems) {
    boolean contractRefusal = (status == 403 || status == 404 || status == 422) && new JsonObject(body).getString("error") != null;
    if (!contractRefusal || body.contains("first") || body.contains("secret")) {
      problems.add(label + ": " + status + " " + body);
    }
    return null;
  }
}
