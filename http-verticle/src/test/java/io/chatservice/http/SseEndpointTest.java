package io.chatservice.http;

import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.SseTestClient;
import io.chatservice.http.testing.SseTestClient.Event;
import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Server-sent events at /sse with a real streaming HTTP client: framing, headers, resume, keep-alive and refusals. */
@ExtendWith(VertxExtension.class)
@DisplayName("The server-sent events endpoint /sse")
class SseEndpointTest {

  private static final String GENERAL = "general";

  private TestNode node;
  private String alice;
  private String bob;

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext testContext) {
    NodeConfig.LimitsConfig g = TestNode.GENEROUS_LIMITS;
    // Keep-alive comments every second, so the test can see them; everything else as usual.
    NodeConfig.LimitsConfig limits = new NodeConfig.LimitsConfig(g.idleTimeout(), Duration.ofSeconds(1), g.maxOutboundBytes(),
      g.maxFrameBytes(), g.sendRatePerSecond(), g.sendBurst(), g.maxConnectionsPerUser(), g.maxRoomsPerConnection());
    TestNode.start(vertx, TestNode.config(TestDatabases.h2(), false, TextRules.DEFAULT_MAX).withLimits(limits))
      .compose(started -> {
        node = started;
        return Future.all(node.registerAndLogin("alice", "password-a"), node.registerAndLogin("bob", "password-b"));
      })
      .onComplete(testContext.succeeding(tokens -> {
        alice = tokens.resultAt(0);
        bob = tokens.resultAt(1);
        testContext.completeNow();
      }));
  }

  @Test
  @DisplayName("A stream has the event-stream headers, replays after ?after= as message events with id = seq, then goes live")
  void headersReplayAndLive(Vertx vertx, VertxTestContext testContext) {
    postSequentially(bob, 3).compose(p -> SseTestClient.open(vertx, node.port, "/sse?room=general&after=1", bearer(alice)))
      .compose(sse -> sse.awaitMessages(2, 5000)
        .compose(replayed -> post(bob, "live"))
        .compose(live -> sse.awaitMessages(3, 5000))
        .compose(events -> history().map(stored -> List.of(sse, events, stored))))
      .onComplete(testContext.succeeding(results -> testContext.verify(() -> {
        SseTestClient sse = (SseTestClient) results.get(0);
        @SuppressWarnings("unchecked") List<Event> events = (List<Event>) results.get(1);
        JsonArray stored = (JsonArray) results.get(2);
        MultiMap headers = sse.response().headers();
        assertThat(headers.get("Content-Type")).startsWith("text/event-stream");
        assertThat(headers.get("Cache-Control")).contains("no-cache");
        assertThat(headers.get("X-Accel-Buffering")).isEqualTo("no");
        assertThat(events).extracting(Event::id).containsExactly("2", "3", "4");
        assertThat(events).extracting(Event::event).containsOnly("message");
        assertThat(events.stream().map(Event::json).toList())
          .containsExactly(stored.getJsonObject(1), stored.getJsonObject(2), stored.getJsonObject(3));
        assertThat(events.get(2).json().getString("text")).isEqualTo("live");
        assertThat(events.get(2).json().getString("from")).isEqualTo("bob");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Last-Event-ID resumes after that seq and wins over ?after=; the token may come from the query or the cookie")
  void lastEventIdWinsOverAfter(Vertx vertx, VertxTestContext testContext) {
    postSequentially(bob, 4).compose(p -> Future.all(
        SseTestClient.open(vertx, node.port, "/sse?room=general&after=0&token=" + alice, MultiMap.caseInsensitiveMultiMap()
          .add("Last-Event-ID", "3")),
        SseTestClient.open(vertx, node.port, "/sse?room=general&after=2", MultiMap.caseInsensitiveMultiMap()
          .add("Cookie", "chat_token=" + alice))))
      .compose(both -> post(bob, "live").compose(live -> Future.all(
        ((SseTestClient) both.resultAt(0)).awaitMessages(2, 5000), ((SseTestClient) both.resultAt(1)).awaitMessages(3, 5000)))
        .compose(enough -> vertx.timer(300)) // room for a duplicate to show up
        .map(t -> List.of(((SseTestClient) both.resultAt(0)).messages(), ((SseTestClient) both.resultAt(1)).messages())))
      .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
        assertThat(both.get(0)).extracting(Event::id).containsExactly("4", "5");
        assertThat(both.get(1)).extracting(Event::id).containsExactly("3", "4", "5");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Without after, a stream is live only; keep-alive comments arrive every ping interval")
  void liveOnlyWithKeepAlive(Vertx vertx, VertxTestContext testContext) {
    long[] at = new long[3];
    postSequentially(bob, 2).compose(p -> {
      at[0] = System.currentTimeMillis();
      return SseTestClient.open(vertx, node.port, "/sse?room=general", bearer(alice));
    }).compose(sse -> keepAlives(sse, 1).compose(first -> {
        at[1] = System.currentTimeMillis();
        return keepAlives(sse, 2);
      }).compose(second -> {
        at[2] = System.currentTimeMillis();
        return post(bob, "now").compose(m -> sse.awaitMessages(1, 5000)).map(messages -> sse.events());
      }))
      .onComplete(testContext.succeeding(events -> testContext.verify(() -> {
        System.out.printf("SSE: first keep-alive after %d ms, the next %d ms later; events %s%n", at[1] - at[0], at[2] - at[1], events);
        assertThat(events.get(0)).isEqualTo(new Event("comment", null, "connected"));
        // The node's heartbeat ticks once a second for all streams: the first comes within a tick, then one a
        // tick. Wide bounds: a loaded CI machine delays ticks; what they catch is no keep-alive, or a flood.
        assertThat(at[1] - at[0]).isLessThan(3000L);
        assertThat(at[2] - at[1]).isBetween(300L, 3000L);
        assertThat(events.stream().filter(e -> "message".equals(e.event()))).extracting(Event::id).containsExactly("3");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Refusals come before the stream, as ordinary HTTP errors with the contract's JSON body")
  void refusalsBeforeStreaming(Vertx vertx, VertxTestContext testContext) {
    Future.all(List.of(
        get("/sse?room=general", null, null),
        get("/sse?room=dm:bob:carol", alice, null),
        get("/sse?room=nowhere", alice, null),
        get("/sse", alice, null),
        get("/sse?room=general", alice, "abc"),
        get("/sse?room=general&after=-1", alice, null),
        get("/sse?room=Bad%20Room", alice, null)))
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertRefusal(all.resultAt(0), 401, "unauthenticated");
        assertRefusal(all.resultAt(1), 403, "not_a_participant");
        assertRefusal(all.resultAt(2), 404, "unknown_room");
        assertRefusal(all.resultAt(3), 422, "invalid_room");
        assertRefusal(all.resultAt(4), 422, "invalid_parameter");
        assertRefusal(all.resultAt(5), 422, "invalid_parameter");
        assertRefusal(all.resultAt(6), 422, "invalid_room");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("The same message reaches a WebSocket client, an SSE client and history with the same id, seq and content")
  void sameMessageOnEveryTransport(Vertx vertx, VertxTestContext testContext) {
    Future.all(WsTestClient.connect(vertx, node.port, bob), SseTestClient.open(vertx, node.port, "/sse?room=general", bearer(alice)))
      .compose(both -> {
        WsTestClient ws = both.resultAt(0);
        SseTestClient sse = both.resultAt(1);
        ws.join(GENERAL);
        return ws.next(WsTestClient.joined(GENERAL)).compose(j -> {
          ws.send(GENERAL, "everywhere \u00e9\u4e16 \"quoted\"", "x");
          return Future.all(ws.next(WsTestClient.reply("x")), ws.next(WsTestClient.message(GENERAL)), sse.awaitMessages(1, 5000));
        }).compose(received -> history()
          .map(stored -> List.<Object>of(received.resultAt(0), received.resultAt(1), received.resultAt(2), stored)));
      })
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        JsonObject ack = (JsonObject) all.get(0);
        JsonObject overWs = ((JsonObject) all.get(1)).copy();
        @SuppressWarnings("unchecked") Event overSse = ((List<Event>) all.get(2)).get(0);
        JsonObject stored = ((JsonArray) all.get(3)).getJsonObject(0);
        assertThat(overWs.remove("type")).isEqualTo("message");
        assertThat(overWs).isEqualTo(stored);
        assertThat(overSse.json()).isEqualTo(stored);
        assertThat(overSse.id()).isEqualTo(String.valueOf(stored.getLong("seq")));
        assertThat(stored.getString("text")).isEqualTo("everywhere \u00e9\u4e16 \"quoted\"");
        assertThat(stored.getString("from")).isEqualTo("bob");
        assertThat(ack.getLong("id")).isEqualTo(stored.getLong("id"));
        assertThat(ack.getLong("seq")).isEqualTo(stored.getLong("seq"));
        testContext.completeNow();
      })));
  }

  // Helpers

  /** Completes once the stream has brought {@code count} keep-alive comments. */
  private static Future<List<Event>> keepAlives(SseTestClient sse, int count) {
    return sse.await(events -> events.stream().filter(e -> "keep-alive".equals(e.data())).count() >= count, 5000);
  }

  private static MultiMap bearer(String token) {
    return MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + token);
  }

  private Future<HttpResponse<Buffer>> get(String uri, String token, String lastEventId) {
    var request = node.client.get(uri).timeout(5000);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (lastEventId != null) {
      request.putHeader("Last-Event-ID", lastEventId);
    }
    return request.send();
  }

  private static void assertRefusal(HttpResponse<Buffer> response, int status, String error) {
    assertThat(response.statusCode()).as("%s", response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("message")).isNotBlank();
  }

  private Future<JsonObject> post(String token, String text) {
    return node.client.post("/api/rooms/general/messages").bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("text", text))
      .compose(r -> r.statusCode() == 201 ? Future.succeededFuture(r.bodyAsJsonObject())
        : Future.failedFuture(new AssertionError("post: " + r.statusCode() + " " + r.bodyAsString())));
  }

  private Future<Void> postSequentially(String token, int n) {
    Future<JsonObject> chain = Future.succeededFuture();
    for (int i = 1; i <= n; i++) {
      String text = "m" + i;
      chain = chain.compose(previous -> post(token, text));
    }
    return chain.mapEmpty();
  }

  private Future<JsonArray> history() {
    return node.client.get("/api/rooms/general/messages").bearerTokenAuthentication(alice).send()
      .map(HttpResponse::bodyAsJsonArray);
  }
}
