package io.chatservice.http;

import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/guest: a password-less login for a name nobody holds, only on a node started with --guests. */
@ExtendWith(VertxExtension.class)
@DisplayName("Guest logins")
class GuestsTest {

  private static final String PASSWORD = "password-1";

  @FunctionalInterface
  private interface Check<T> {
    void accept(T value) throws Throwable;
  }

  @Test
  @DisplayName("Without --guests, POST /api/guest is 403 guests_disabled, even for a valid free name")
  void disabledByDefault(Vertx vertx, VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> guest = start(vertx, false).compose(node -> guest(node, "gus"));
    expect(testContext, guest, response -> assertError(response, 403, "guests_disabled"));
  }

  @Test
  @DisplayName("With --guests: 200 {token, username, expiresAt} and the chat_token cookie; the token and the cookie work for /api/me, and the guest can post")
  void guestLogin(Vertx vertx, VertxTestContext testContext) {
    long start = System.currentTimeMillis();
    Checkpoint login = testContext.checkpoint();
    Checkpoint me = testContext.checkpoint();
    Checkpoint post = testContext.checkpoint();
    start(vertx, true).compose(node -> guest(node, "Gus").compose(response -> {
      testContext.verify(() -> {
        JsonObject body = assertStatus(response, 200).bodyAsJsonObject();
        assertThat(body.fieldNames()).containsExactlyInAnyOrder("token", "username", "expiresAt");
        assertThat(body.getString("username")).as("the spelling asked for").isEqualTo("Gus");
        long exp = claims(body.getString("token")).getLong("exp") * 1000;
        assertThat(body.getLong("expiresAt")).isGreaterThan(start).isBetween(exp - 1000, exp);
        assertThat(claims(body.getString("token")).getBoolean("guest")).as("the token's guest claim").isTrue();
        List<String> cookie = cookieParts(response);
        assertThat(cookie.get(0)).isEqualTo("chat_token=" + body.getString("token"));
        assertThat(cookie).contains("httponly", "samesite=lax");
        login.flag();
      });
      String token = response.bodyAsJsonObject().getString("token");
      Future<HttpResponse<Buffer>> byBearer = node.client.get("/api/me").bearerTokenAuthentication(token).send();
      Future<HttpResponse<Buffer>> byCookie = byBearer.compose(v -> node.client.get("/api/me")
        .putHeader("Cookie", response.cookies().get(0).split(";")[0]).send());
      return Future.all(byBearer, byCookie).onSuccess(v -> testContext.verify(() -> {
          assertThat(assertStatus(byBearer.result(), 200).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "Gus"));
          assertThat(assertStatus(byCookie.result(), 200).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "Gus"));
          me.flag();
        }))
        .compose(v -> node.client.post("/api/rooms/general/messages").bearerTokenAuthentication(token)
          .sendJsonObject(new JsonObject().put("text", "hello as a guest")))
        .compose(posted -> node.client.get("/api/rooms/general/messages").bearerTokenAuthentication(token).send()
          .onSuccess(history -> testContext.verify(() -> {
            JsonObject message = assertStatus(posted, 201).bodyAsJsonObject();
            assertThat(message.getString("from")).isEqualTo("Gus");
            assertThat(message.getString("text")).isEqualTo("hello as a guest");
            assertThat(assertStatus(history, 200).bodyAsJsonArray()).containsExactly(message);
            post.flag();
          })));
    })).onFailure(testContext::failNow);
  }

  @Test
  @DisplayName("A registered name, in any case, is 409 username_taken for a guest")
  void registeredNameTaken(Vertx vertx, VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> responses = start(vertx, true).compose(node -> sequence(
      () -> node.client.post("/api/register").sendJsonObject(credentials("alice")),
      () -> guest(node, "alice"),
      () -> guest(node, "ALICE")));
    expect(testContext, responses, all -> {
      assertStatus(all.get(0), 201);
      assertError(all.get(1), 409, "username_taken");
      assertError(all.get(2), 409, "username_taken");
    });
  }

  @Test
  @DisplayName("The same guest name twice, in any case, is 409 username_taken the second time")
  void guestNameTwice(Vertx vertx, VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> responses = start(vertx, true).compose(node -> sequence(
      () -> guest(node, "gus"), () -> guest(node, "gus"), () -> guest(node, "GUS")));
    expect(testContext, responses, all -> {
      assertStatus(all.get(0), 200);
      assertError(all.get(1), 409, "username_taken");
      assertError(all.get(2), 409, "username_taken");
    });
  }

  @Test
  @DisplayName("An invalid or missing guest name is 422 invalid_username")
  void invalidName(Vertx vertx, VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> responses = start(vertx, true).compose(node -> sequence(
      () -> guest(node, "a b"),
      () -> guest(node, "x"),
      () -> guest(node, "g".repeat(33)),
      () -> guest(node, "gus!"),
      () -> node.client.post("/api/guest").sendJsonObject(new JsonObject()),
      () -> node.client.post("/api/guest").sendJsonObject(new JsonObject().put("username", 42))));
    expect(testContext, responses, all -> {
      for (HttpResponse<Buffer> response : all) {
        assertError(response, 422, "invalid_username");
      }
    });
  }

  @Test
  @DisplayName("A guest's name cannot be used to log in with any password: 401 bad_credentials")
  void guestCannotLogIn(Vertx vertx, VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> responses = start(vertx, true).compose(node -> sequence(
      () -> guest(node, "gus"),
      () -> node.client.post("/api/login").sendJsonObject(credentials("gus")),
      () -> node.client.post("/api/login").sendJsonObject(new JsonObject().put("username", "gus").put("password", "")),
      () -> node.client.post("/api/login").sendJsonObject(new JsonObject().put("username", "gus"))));
    expect(testContext, responses, all -> {
      assertStatus(all.get(0), 200);
      for (HttpResponse<Buffer> login : all.subList(1, all.size())) {
        assertError(login, 401, "bad_credentials");
      }
    });
  }

  @Test
  @DisplayName("Registering a name a guest holds, in any case, is 409 username_taken, and the guest keeps it")
  void registerGuestName(Vertx vertx, VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> responses = start(vertx, true).compose(node -> sequence(
      () -> guest(node, "gus"),
      () -> node.client.post("/api/register").sendJsonObject(credentials("gus")),
      () -> node.client.post("/api/register").sendJsonObject(credentials("Gus")),
      () -> node.client.post("/api/login").sendJsonObject(credentials("gus"))));
    expect(testContext, responses, all -> {
      assertStatus(all.get(0), 200);
      assertError(all.get(1), 409, "username_taken");
      assertError(all.get(2), 409, "username_taken");
      assertError(all.get(3), 401, "bad_credentials");
    });
  }

  private static Future<TestNode> start(Vertx vertx, boolean guests) {
    return TestNode.start(vertx, TestNode.config(TestDatabases.h2(), guests, TextRules.DEFAULT_MAX));
  }

  private static Future<HttpResponse<Buffer>> guest(TestNode node, String username) {
    return node.client.post("/api/guest").sendJsonObject(new JsonObject().put("username", username));
  }

  private static JsonObject credentials(String username) {
    return new JsonObject().put("username", username).put("password", PASSWORD);
  }

  /** Runs the steps one after another (each may depend on the one before); all the responses, in order. */
  @SafeVarargs
  private static Future<List<HttpResponse<Buffer>>> sequence(Supplier<Future<HttpResponse<Buffer>>>... steps) {
    List<HttpResponse<Buffer>> responses = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Supplier<Future<HttpResponse<Buffer>>> step : steps) {
      chain = chain.compose(v -> step.get()).map(response -> {
        responses.add(response);
        return null;
      });
    }
    return chain.map(v -> responses);
  }

  private static <T> void expect(VertxTestContext testContext, Future<T> future, Check<T> check) {
    future.onComplete(testContext.succeeding(value -> testContext.verify(() -> {
      check.accept(value);
      testContext.completeNow();
    })));
  }

  private static HttpResponse<Buffer> assertStatus(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as("status of a response with body %s", response.bodyAsString()).isEqualTo(status);
    return response;
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String error) {
    JsonObject body = assertStatus(response, status).bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "message");
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("message")).isNotBlank();
  }

  private static JsonObject claims(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  /** The Set-Cookie header split at ';', attributes lower-cased, the name=value first as sent. */
  private static List<String> cookieParts(HttpResponse<Buffer> response) {
    assertThat(response.cookies()).as("Set-Cookie headers").hasSize(1);
    List<String> parts = new ArrayList<>(Arrays.stream(response.cookies().get(0).split(";")).map(String::trim).toList());
    for (int i = 1; i < parts.size(); i++) {
      parts.set(i, parts.get(i).toLowerCase(Locale.ROOT));
    }
    return parts;
  }
}
