package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.SseTestClient;
import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A page on another site can make the browser send the session cookie; the
 * node must not act on such a request. Each refusal is paired with the same
 * request from the node's own origin, or with an explicit token, succeeding.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Origin checks on cookie-authenticated requests")
class OriginCheckTest {

  private static final String PASSWORD = "origin-test-password";
  private static final String EVIL = "https://evil.example";
  private static final String GENERAL = "/api/rooms/general/messages";

  /** A request as a page would make it: method, URI, body (null for none); upgrade headers on handshakes. */
  private record Call(HttpMethod method, String uri, JsonObject json, String text, boolean upgrade) {
    HttpRequest<Buffer> on(TestNode node) {
      HttpRequest<Buffer> request = node.client.request(method, uri);
      if (upgrade) {
        request.putHeader("Connection", "Upgrade").putHeader("Upgrade", "websocket")
          .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
      }
      return request;
    }

    Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request) {
      if (json != null) {
        return request.sendJsonObject(json);
      }
      return text != null ? request.sendBuffer(Buffer.buffer(text)) : request.send();
    }
  }

  static Stream<Arguments> crossSiteCalls() {
    String frame = new JsonArray().add(sendFrame("csrf over xhr_send").encode()).encode();
    return Stream.of(
      Arguments.of("the /ws handshake", new Call(HttpMethod.GET, "/ws", null, null, true)),
      Arguments.of("the /sse stream", new Call(HttpMethod.GET, "/sse?room=general", null, null, false)),
      Arguments.of("the SockJS info request", new Call(HttpMethod.GET, "/eventbus/info", null, null, false)),
      Arguments.of("a SockJS WebSocket handshake", new Call(HttpMethod.GET, "/eventbus/000/abcdefgh/websocket", null, null, true)),
      Arguments.of("a SockJS xhr_send", new Call(HttpMethod.POST, "/eventbus/000/abcdefgh/xhr_send", null, frame, false)),
      Arguments.of("opening a SockJS xhr-streaming session", new Call(HttpMethod.POST, "/eventbus/000/abcdefgh/xhr_streaming", null, null, false)),
      Arguments.of("POST a message", new Call(HttpMethod.POST, GENERAL, new JsonObject().put("text", "csrf"), null, false)),
      Arguments.of("POST /api/rooms", new Call(HttpMethod.POST, "/api/rooms", new JsonObject().put("name", "csrf"), null, false)),
      Arguments.of("POST /api/dms", new Call(HttpMethod.POST, "/api/dms", new JsonObject().put("with", "bob"), null, false)),
      Arguments.of("log in", new Call(HttpMethod.POST, "/api/login", credentials("alice"), null, false)),
      Arguments.of("register", new Call(HttpMethod.POST, "/api/register", credentials("mallory"), null, false)),
      Arguments.of("log out", new Call(HttpMethod.POST, "/api/logout", null, "", false)),
      Arguments.of("a guest login", new Call(HttpMethod.POST, "/api/guest", new JsonObject().put("username", "guesty"), null, false)),
      Arguments.of("DELETE under /api", new Call(HttpMethod.DELETE, "/api/rooms/general", null, null, false)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("crossSiteCalls")
  @DisplayName("With the cookie and another site's Origin: 403 forbidden_origin before anything happens, and no cookie set or cleared")
  void crossSiteIsRefused(String label, Call call, Vertx vertx, VertxTestContext testContext) {
    withAlice(vertx).compose(alice -> call.send(call.on(alice.node).putHeader("Cookie", alice.cookie()).putHeader("Origin", EVIL))
        .compose(refused -> history(alice).map(history -> List.of(refused, history))))
      .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
        HttpResponse<Buffer> refused = both.get(0);
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(403);
        assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("forbidden_origin");
        assertThat(refused.bodyAsJsonObject().getString("message")).isNotBlank();
        assertThat(refused.cookies()).as("Set-Cookie").isEmpty();
        assertThat(both.get(1).bodyAsJsonArray()).as("messages in #general").isEmpty();
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("A cross-site POST with the cookie posts nothing; the same request with Bearer, or from the node's own page, is posted")
  void postNeedsSameOriginOrExplicitToken(Vertx vertx, VertxTestContext testContext) {
    withAlice(vertx).compose(alice -> {
      Function<String, HttpRequest<Buffer>> post = origin -> alice.node.client.post(GENERAL).putHeader("Origin", origin);
      return post.apply(EVIL).putHeader("Cookie", alice.cookie()).sendJsonObject(text("from evil with the cookie"))
        .compose(evilCookie -> post.apply(EVIL).bearerTokenAuthentication(alice.token).sendJsonObject(text("bearer from anywhere"))
          .compose(bearer -> post.apply(alice.ownOrigin()).putHeader("Cookie", alice.cookie()).sendJsonObject(text("from the page"))
            .compose(samePage -> history(alice).map(history -> {
              testContext.verify(() -> {
                assertThat(evilCookie.statusCode()).as(evilCookie.bodyAsString()).isEqualTo(403);
                assertThat(bearer.statusCode()).as(bearer.bodyAsString()).isEqualTo(201);
                assertThat(samePage.statusCode()).as(samePage.bodyAsString()).isEqualTo(201);
                assertThat(texts(history)).containsExactly("bearer from anywhere", "from the page");
              });
              return history;
            }))));
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("SockJS over xhr: a session opened by the page refuses a cross-site xhr_send (nothing posted) and takes the page's own")
  void xhrSendNeedsSameOrigin(Vertx vertx, VertxTestContext testContext) {
    String session = "/eventbus/000/xhrsess1/";
    withAlice(vertx).compose(alice -> {
      Function<String, HttpRequest<Buffer>> page = path -> alice.node.client.post(session + path)
        .putHeader("Cookie", alice.cookie()).putHeader("Origin", alice.ownOrigin());
      Buffer frame = Buffer.buffer(new JsonArray().add(sendFrame("over xhr_send").encode()).encode());
      return page.apply("xhr").send()
        .compose(opened -> alice.node.client.post(session + "xhr_send").putHeader("Cookie", alice.cookie())
          .putHeader("Origin", EVIL).sendBuffer(frame)
          .compose(evil -> history(alice)
            .compose(afterEvil -> page.apply("xhr_send").sendBuffer(frame)
              .compose(own -> awaitHistory(alice, 1))
              .map(afterOwn -> {
                testContext.verify(() -> {
                  assertThat(opened.bodyAsString()).as("the SockJS open frame").startsWith("o");
                  assertThat(evil.statusCode()).as(evil.bodyAsString()).isEqualTo(403);
                  assertThat(evil.bodyAsJsonObject().getString("error")).isEqualTo("forbidden_origin");
                  assertThat(afterEvil.bodyAsJsonArray()).as("messages after the cross-site xhr_send").isEmpty();
                  assertThat(texts(afterOwn)).containsExactly("over xhr_send");
                });
                return afterOwn;
              }))));
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("The node's own page (Origin = its scheme://host:port) opens /ws, /sse and /eventbus with the cookie")
  void ownPageUsesEveryTransport(Vertx vertx, VertxTestContext testContext) {
    withAlice(vertx).compose(alice -> {
      MultiMap pageHeaders = MultiMap.caseInsensitiveMultiMap().add("Cookie", alice.cookie()).add("Origin", alice.ownOrigin());
      return WsTestClient.connect(vertx, new WebSocketClientOptions(), WsTestClient.wsOptions(alice.node.port, null).setHeaders(pageHeaders))
        .compose(ws -> ws.close())
        .compose(v -> SseTestClient.open(vertx, alice.node.port, "/sse?room=general", pageHeaders))
        .compose(SseTestClient::close)
        .compose(v -> alice.node.client.get("/eventbus/info").putHeaders(pageHeaders).send())
        .map(info -> {
          testContext.verify(() -> assertThat(info.statusCode()).as(info.bodyAsString()).isEqualTo(200));
          return info;
        });
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("A Bearer header or ?token= is not subject to the check: /ws, /sse and /eventbus/info work from any Origin")
  void explicitTokenFromAnyOrigin(Vertx vertx, VertxTestContext testContext) {
    withAlice(vertx).compose(alice -> {
      MultiMap evil = MultiMap.caseInsensitiveMultiMap().add("Origin", EVIL);
      MultiMap evilBearer = MultiMap.caseInsensitiveMultiMap().addAll(evil).add("Authorization", "Bearer " + alice.token);
      return WsTestClient.connect(vertx, new WebSocketClientOptions(), WsTestClient.wsOptions(alice.node.port, alice.token).setHeaders(evil))
        .compose(ws -> ws.close())
        .compose(v -> WsTestClient.connect(vertx, new WebSocketClientOptions(), WsTestClient.wsOptions(alice.node.port, null).setHeaders(evilBearer)))
        .compose(ws -> ws.close())
        .compose(v -> SseTestClient.open(vertx, alice.node.port, "/sse?room=general&token=" + alice.token, evil))
        .compose(SseTestClient::close)
        .compose(v -> alice.node.client.get("/eventbus/info?token=" + alice.token).putHeaders(evil).send())
        .map(info -> {
          testContext.verify(() -> assertThat(info.statusCode()).as(info.bodyAsString()).isEqualTo(200));
          return info;
        });
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("A worthless ?token= does not unlock the cookie: cross-site with both is 401 and posts nothing")
  void explicitTokenNeverFallsBackToTheCookie(Vertx vertx, VertxTestContext testContext) {
    withAlice(vertx).compose(alice -> alice.node.client.post(GENERAL + "?token=garbage")
        .putHeader("Cookie", alice.cookie()).putHeader("Origin", EVIL).sendJsonObject(text("csrf with a decoy token"))
        .compose(response -> history(alice).map(history -> {
          testContext.verify(() -> {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(401);
            assertThat(history.bodyAsJsonArray()).isEmpty();
          });
          return history;
        })))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("No Origin (not a browser) passes; a foreign Referer without Origin, or Origin: null, is refused")
  void missingOriginRefererAndNull(Vertx vertx, VertxTestContext testContext) {
    withAlice(vertx).compose(alice -> {
      Function<String, Future<HttpResponse<Buffer>>> post = text -> alice.node.client.post(GENERAL).putHeader("Cookie", alice.cookie())
        .sendJsonObject(text(text));
      return post.apply("no origin at all")
        .compose(none -> alice.node.client.post(GENERAL).putHeader("Cookie", alice.cookie()).putHeader("Referer", EVIL + "/page.html")
          .sendJsonObject(text("foreign referer"))
          .compose(referer -> alice.node.client.post(GENERAL).putHeader("Cookie", alice.cookie()).putHeader("Origin", "null")
            .sendJsonObject(text("opaque origin"))
            .compose(opaque -> alice.node.client.post(GENERAL).putHeader("Cookie", alice.cookie())
              .putHeader("Referer", alice.ownOrigin() + "/index.html").sendJsonObject(text("own referer"))
              .compose(ownReferer -> history(alice).map(history -> {
                testContext.verify(() -> {
                  assertThat(none.statusCode()).as(none.bodyAsString()).isEqualTo(201);
                  assertThat(referer.statusCode()).as(referer.bodyAsString()).isEqualTo(403);
                  assertThat(opaque.statusCode()).as(opaque.bodyAsString()).isEqualTo(403);
                  assertThat(ownReferer.statusCode()).as(ownReferer.bodyAsString()).isEqualTo(201);
                  assertThat(texts(history)).containsExactly("no origin at all", "own referer");
                });
                return history;
              })))));
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("--allowed-origins adds exactly those origins (scheme, host and port) to the node's own")
  void configuredOrigins(Vertx vertx, VertxTestContext testContext) {
    NodeConfig.SecurityConfig allowing = new NodeConfig.SecurityConfig(List.of("https://app.example.com"), false, 1000, 1000);
    withAlice(vertx, allowing).compose(alice -> {
      Function<String, Future<HttpResponse<Buffer>>> post = origin -> alice.node.client.post(GENERAL)
        .putHeader("Cookie", alice.cookie()).putHeader("Origin", origin).sendJsonObject(text("from " + origin));
      return post.apply("https://app.example.com")
        .compose(allowed -> post.apply("https://APP.example.com:443")
          .compose(samePort -> post.apply("https://app.example.com:8443")
            .compose(otherPort -> post.apply("http://app.example.com")
              .compose(otherScheme -> post.apply(alice.ownOrigin()).map(own -> {
                testContext.verify(() -> {
                  assertThat(allowed.statusCode()).as(allowed.bodyAsString()).isEqualTo(201);
                  assertThat(samePort.statusCode()).as("case and the default port do not matter").isEqualTo(201);
                  assertThat(otherPort.statusCode()).as("another port").isEqualTo(403);
                  assertThat(otherScheme.statusCode()).as("another scheme").isEqualTo(403);
                  assertThat(own.statusCode()).as("the node's own origin still").isEqualTo(201);
                });
                return own;
              })))));
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("Behind a TLS proxy the page's https origin matches only with --trust-proxy (X-Forwarded-Proto/-Host)")
  void trustedProxyOrigin(Vertx vertx, VertxTestContext testContext) {
    NodeConfig.SecurityConfig behindProxy = new NodeConfig.SecurityConfig(List.of(), true, 1000, 1000);
    Function<Alice, Future<HttpResponse<Buffer>>> proxied = alice -> alice.node.client.post(GENERAL)
      .putHeader("Cookie", alice.cookie()).putHeader("Origin", "https://chat.example.com")
      .putHeader("X-Forwarded-Proto", "https").putHeader("X-Forwarded-Host", "chat.example.com")
      .sendJsonObject(text("through the proxy"));
    withAlice(vertx, behindProxy).compose(proxied)
      .compose(trusted -> withAlice(vertx).compose(proxied).map(untrusted -> {
        testContext.verify(() -> {
          assertThat(trusted.statusCode()).as(trusted.bodyAsString()).isEqualTo(201);
          assertThat(untrusted.statusCode()).as("forwarded headers are ignored without --trust-proxy").isEqualTo(403);
        });
        return untrusted;
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  /** alice on a fresh node, logged in: her token doubles as the cookie's value. */
  private record Alice(TestNode node, String token) {
    String cookie() {
      return "chat_token=" + token;
    }

    String ownOrigin() {
      return "http://127.0.0.1:" + node.port;
    }
  }

  private static Future<Alice> withAlice(Vertx vertx) {
    return withAlice(vertx, TestNode.GENEROUS_SECURITY);
  }

  private static Future<Alice> withAlice(Vertx vertx, NodeConfig.SecurityConfig security) {
    NodeConfig config = TestNode.config(TestDatabases.h2(), false, TextRules.DEFAULT_MAX).withSecurity(security);
    return TestNode.start(vertx, config).compose(node -> node.registerAndLogin("alice", PASSWORD).map(token -> new Alice(node, token)));
  }

  private static Future<HttpResponse<Buffer>> history(Alice alice) {
    return alice.node.client.get(GENERAL).bearerTokenAuthentication(alice.token).send();
  }

  /** History once it holds {@code count} messages (SockJS sends are acknowledged asynchronously). */
  private static Future<JsonArray> awaitHistory(Alice alice, int count) {
    return history(alice).compose(response -> {
      JsonArray messages = response.bodyAsJsonArray();
      if (messages.size() >= count) {
        return Future.succeededFuture(messages);
      }
      return alice.node.vertx.timer(50).compose(v -> awaitHistory(alice, count));
    });
  }

  private static List<String> texts(HttpResponse<Buffer> history) {
    return texts(history.bodyAsJsonArray());
  }

  private static List<String> texts(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getString("text")).toList();
  }

  private static JsonObject sendFrame(String text) {
    return new JsonObject().put("type", "send").put("address", ChatAddresses.SEND).put("replyAddress", "r1")
      .put("body", new JsonObject().put("room", "general").put("text", text));
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("text", text);
  }

  private static JsonObject credentials(String username) {
    return new JsonObject().put("username", username).put("password", PASSWORD);
  }
}
