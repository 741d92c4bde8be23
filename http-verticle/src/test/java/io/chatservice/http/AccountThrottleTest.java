package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The login and registration throttle through the REST API, with the shipped
 * policy. Requests reaching the account domain are counted on the event bus:
 * a refused attempt must not get there (no bcrypt is spent on it).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Login and registration throttling")
class AccountThrottleTest {

  private static final String PASSWORD = "throttle-password";

  /** A node and how many requests each account address has received. */
  private record Node(TestNode node, Map<String, AtomicInteger> domainCalls) {
    int calls(String address) {
      return domainCalls.getOrDefault(address, new AtomicInteger()).get();
    }

    Future<HttpResponse<Buffer>> login(String username, String password) {
      return node.client.post("/api/login").sendJsonObject(credentials(username, password));
    }

    Future<HttpResponse<Buffer>> register(String username, String forwardedFor) {
      HttpRequest<Buffer> request = node.client.post("/api/register");
      if (forwardedFor != null) {
        request.putHeader("X-Forwarded-For", forwardedFor);
      }
      return request.sendJsonObject(credentials(username, PASSWORD));
    }
  }

  @Test
  @DisplayName("After 5 wrong passwords: 429 rate_limited with Retry-After and no password check, even for the right one; after the wait it logs in and the count starts over")
  void usernameLockout(Vertx vertx, VertxTestContext testContext) {
    start(vertx, NodeConfig.SecurityConfig.defaults(), true).compose(n -> n.register("alice", null)
      .compose(v -> repeat(5, () -> n.login("alice", "wrong-password")))
      .compose(failures -> {
        int checked = n.calls(ChatAddresses.USERS_LOGIN);
        return n.login("alice", "wrong-password").compose(locked -> n.login("alice", PASSWORD)
          .compose(lockedRight -> {
            testContext.verify(() -> {
              assertThat(failures).extracting(HttpResponse::statusCode).containsOnly(401);
              assertThat(locked.statusCode()).as(locked.bodyAsString()).isEqualTo(429);
              assertThat(locked.bodyAsJsonObject().getString("error")).isEqualTo("rate_limited");
              assertThat(locked.getHeader("Retry-After")).isEqualTo("1");
              assertThat(lockedRight.statusCode()).as("the right password during the lockout").isEqualTo(429);
              assertThat(n.calls(ChatAddresses.USERS_LOGIN)).as("password checks asked of the domain").isEqualTo(checked);
            });
            return vertx.timer(Long.parseLong(locked.getHeader("Retry-After")) * 1000 + 100);
          }))
          .compose(waited -> n.login("alice", PASSWORD))
          .compose(success -> n.login("alice", "wrong-password").map(wrongAgain -> {
            testContext.verify(() -> {
              assertThat(success.statusCode()).as(success.bodyAsString()).isEqualTo(200);
              assertThat(wrongAgain.statusCode()).as("a failure after the success is counted from zero").isEqualTo(401);
            });
            return wrongAgain;
          }));
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("An address trying many usernames gets 30 failed logins, then 429")
  void addressLimit(Vertx vertx, VertxTestContext testContext) {
    start(vertx, NodeConfig.SecurityConfig.defaults(), false).compose(n -> {
      List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
      Future<Void> sequence = Future.succeededFuture();
      for (int i = 0; i < 30; i++) {
        String user = "user" + i;
        sequence = sequence.compose(v -> {
          Future<HttpResponse<Buffer>> guess = n.login(user, "guess-guess");
          guesses.add(guess);
          return guess.mapEmpty();
        });
      }
      return sequence.compose(v -> n.login("user30", "guess-guess")).map(refused -> {
        testContext.verify(() -> {
          assertThat(guesses).extracting(guess -> guess.result().statusCode()).containsOnly(401).hasSize(30);
          assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(429);
          assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(500L, 600L);
          assertThat(n.calls(ChatAddresses.USERS_LOGIN)).isEqualTo(30);
        });
        return refused;
      });
    }).onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("10 registrations per address and hour, guest logins included; the 11th is 429 with Retry-After and never reaches the domain")
  void registrationLimit(Vertx vertx, VertxTestContext testContext) {
    start(vertx, NodeConfig.SecurityConfig.defaults(), true).compose(n -> repeat(6, i -> n.register("member" + i, null))
      .compose(members -> repeat(4, i -> n.node.client.post("/api/guest").sendJsonObject(new JsonObject().put("username", "guest" + i)))
        .compose(guests -> n.register("member6", null).compose(refused -> n.node.client.post("/api/guest")
          .sendJsonObject(new JsonObject().put("username", "guest4")).map(refusedGuest -> {
            testContext.verify(() -> {
              assertThat(members).extracting(HttpResponse::statusCode).containsOnly(201);
              assertThat(guests).extracting(HttpResponse::statusCode).containsOnly(200);
              assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(429);
              assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("rate_limited");
              assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(3500L, 3600L);
              assertThat(refusedGuest.statusCode()).isEqualTo(429);
              assertThat(n.calls(ChatAddresses.USERS_REGISTER)).isEqualTo(6);
              assertThat(n.calls(ChatAddresses.USERS_GUEST)).isEqualTo(4);
            });
            return refusedGuest;
          })))))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("X-Forwarded-For names the client only with --trust-proxy, and then its last entry (the proxy's own)")
  void forwardedForOnlyBehindATrustedProxy(Vertx vertx, VertxTestContext testContext) {
    NodeConfig.SecurityConfig defaults = NodeConfig.SecurityConfig.defaults();
    NodeConfig.SecurityConfig behindProxy = new NodeConfig.SecurityConfig(List.of(), true,
      defaults.maxRegistrationsPerHour(), defaults.maxFailedLoginsPerAddress());
    Future<List<Integer>> trusted = start(vertx, behindProxy, false).compose(n ->
      repeat(10, i -> n.register("a" + i, "203.0.113.7"))
        .compose(v -> n.register("spoofer", "198.51.100.1, 203.0.113.7"))
        .compose(spoofed -> n.register("other", "203.0.113.8")
          .map(other -> List.of(spoofed.statusCode(), other.statusCode()))));
    Future<Integer> untrusted = trusted.compose(v -> start(vertx, defaults, false)).compose(n ->
      repeat(10, i -> n.register("b" + i, "203.0.113." + i))
        .compose(v -> n.register("rotator", "203.0.113.99")).map(HttpResponse::statusCode));
    untrusted.onComplete(testContext.succeeding(rotated -> testContext.verify(() -> {
      assertThat(trusted.result().get(0)).as("a client-written first entry does not change the address").isEqualTo(429);
      assertThat(trusted.result().get(1)).as("another client behind the proxy").isEqualTo(201);
      assertThat(rotated).as("without --trust-proxy the header is ignored").isEqualTo(429);
      testContext.completeNow();
    })));
  }

  private static Future<Node> start(Vertx vertx, NodeConfig.SecurityConfig security, boolean guests) {
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    vertx.eventBus().addOutboundInterceptor((DeliveryContext<Object> delivery) -> {
      calls.computeIfAbsent(delivery.message().address(), a -> new AtomicInteger()).incrementAndGet();
      delivery.next();
    });
    NodeConfig config = TestNode.config(TestDatabases.h2(), guests, TextRules.DEFAULT_MAX).withSecurity(security);
    return TestNode.start(vertx, config).map(node -> new Node(node, calls));
  }

  /** {@code count} calls one after the other; their responses in order. */
  private static Future<List<HttpResponse<Buffer>>> repeat(int count, java.util.function.IntFunction<Future<HttpResponse<Buffer>>> call) {
    List<HttpResponse<Buffer>> responses = new ArrayList<>();
    Future<Void> sequence = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      int index = i;
      sequence = sequence.compose(v -> call.apply(index)).map(response -> {
        responses.add(response);
        return null;
      });
    }
    return sequence.map(v -> responses);
  }

  private static Future<List<HttpResponse<Buffer>>> repeat(int count, Supplier<Future<HttpResponse<Buffer>>> call) {
    return repeat(count, i -> call.get());
  }

  private static JsonObject credentials(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }
}
