package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.testing.HostileInputs;
import io.chatservice.http.testing.SockJsTestClient;
import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import io.vertx.junit5.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static io.chatservice.http.testing.SockJsTestClient.to;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random and mutated frames and requests against a live node: never a 500 or
 * internal_error, every refusal a contract error, every close a documented
 * code, and the node still serves a normal send afterwards. A failure names
 * the input that caused it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
@DisplayName("Hostile input against a live node")
class HostileInputTest {

  private static final Logger LOG = LoggerFactory.getLogger(HostileInputTest.class);
  private static final int SOCKET_TRIES = 150;
  private static final int REST_TRIES = 300;
  /** The README's close codes. */
  private static final Set<Integer> CLOSE_CODES = Set.of(1009, 1012, 4000, 4001, 4002, 4003);
  /** Router-level refusals beside the chat domain's codes. */
  private static final Set<String> HTTP_CODES = Set.of("method_not_allowed", "body_too_large", "unsupported_media_type");
  /** The README's bridge error bodies. */
  private static final Set<String> BRIDGE_ERRORS = Set.of("invalid_json", "missing_type", "missing_address", "access_denied",
    "invalid_type", "invalid_reply_address", "rejected", "address_already_registered", "max_handlers_reached");

  private TestNode node;
  private String alice;
  private String bob;

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext testContext) {
    TestNode.start(vertx)
      .compose(started -> {
        node = started;
        return node.registerAndLoginAll("alice", "bob");
      })
      .onComplete(testContext.succeeding(tokens -> {
        alice = tokens.get(0);
        bob = tokens.get(1);
        testContext.completeNow();
      }));
  }

  @Test
  @DisplayName("Mutated frames on /ws get error frames with contract codes or a documented close; a normal send still works")
  void hostileWebSocketFrames(Vertx vertx, VertxTestContext testContext) {
    List<String> frames = HostileInputs.samples(HostileInputs.frameTexts(HostileInputs.socketFrames()), SOCKET_TRIES);
    List<JsonObject> received = new ArrayList<>();
    Map<Integer, Integer> closes = new TreeMap<>();
    WsTestClient[] socket = new WsTestClient[1];
    connect(vertx).compose(first -> {
      socket[0] = first;
      return sequence(SOCKET_TRIES, i -> {
        String probe = "probe-" + i;
        socket[0].writeText(frames.get(i)).write(new JsonObject().put("type", "probe").put("ref", probe));
        return socket[0].next(WsTestClient.reply(probe), 10_000).transform(answered -> {
          if (!socket[0].isClosed()) {
            return answered.succeeded() ? Future.succeededFuture()
              : Future.failedFuture(new AssertionError("no answer to the probe after " + frames.get(i)));
          }
          received.addAll(socket[0].frames());
          return socket[0].closed().compose(code -> {
            closes.merge((int) code, 1, Integer::sum);
            return connect(vertx).map(next -> socket[0] = next).mapEmpty();
          });
        });
      });
    }).compose(v -> {
      received.addAll(socket[0].frames());
      return socket[0].close();
    }).compose(v -> stillServes(vertx)).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      LOG.info("/ws: {} hostile frames, {} frames back, closes {}", SOCKET_TRIES, received.size(), closes);
      assertThat(closes.keySet()).allMatch(CLOSE_CODES::contains);
      for (JsonObject frame : received) {
        if ("error".equals(frame.getString("type"))) {
          assertThat(frame.getString("error")).as(frame.encode()).isIn(HostileInputs.REFUSAL_CODES);
          assertThat(frame.getInteger("code")).as(frame.encode()).isBetween(400, 499);
        }
      }
      testContext.completeNow();
    })));
  }

  /** A client that takes the node's answers whole: an error frame echoes a ref of up to a frame's size. */
  private Future<WsTestClient> connect(Vertx vertx) {
    return WsTestClient.connect(vertx, new WebSocketClientOptions().setMaxMessageSize(1 << 20).setMaxFrameSize(1 << 20),
      WsTestClient.wsOptions(node.port, alice));
  }

  @Test
  @DisplayName("Mutated frames on the SockJS bridge get bridge refusals or contract failure codes; a normal send still works")
  void hostileBridgeFrames(Vertx vertx, VertxTestContext testContext) {
    List<String> frames = HostileInputs.samples(HostileInputs.frameTexts(HostileInputs.bridgeFrames()), SOCKET_TRIES);
    List<JsonObject> received = new ArrayList<>();
    int[] reconnects = new int[1];
    SockJsTestClient[] socket = new SockJsTestClient[1];
    SockJsTestClient.connect(vertx, node.port, alice).compose(first -> {
      socket[0] = first;
      return sequence(SOCKET_TRIES, i -> {
        socket[0].writeRaw(frames.get(i));
        String probe = socket[0].request(ChatAddresses.SEND, "probe");
        return socket[0].next(to(probe), 10_000).transform(answered -> {
          if (!socket[0].closed().isComplete()) {
            return answered.succeeded() ? Future.succeededFuture()
              : Future.failedFuture(new AssertionError("no answer to the probe after " + frames.get(i)));
          }
          reconnects[0]++;
          received.addAll(socket[0].receivedFor(null));
          return SockJsTestClient.connect(vertx, node.port, alice).map(next -> socket[0] = next).mapEmpty();
        });
      });
    }).compose(v -> {
      received.addAll(socket[0].receivedFor(null));
      return socket[0].close();
    }).compose(v -> stillServes(vertx)).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      LOG.info("/eventbus: {} hostile frames, {} frames back, {} closes", SOCKET_TRIES, received.size(), reconnects[0]);
      for (JsonObject frame : received) {
        if (!"err".equals(frame.getString("type"))) {
          continue;
        }
        if (frame.containsKey("failureCode")) {
          assertThat(frame.getInteger("failureCode")).as(frame.encode()).isBetween(400, 499);
          String message = frame.getString("message");
          assertThat(message.substring(0, Math.max(0, message.indexOf(':')))).as(frame.encode()).isIn(HostileInputs.REFUSAL_CODES);
        } else {
          assertThat(frame.getString("body")).as(frame.encode()).isIn(BRIDGE_ERRORS);
        }
      }
      testContext.completeNow();
    })));
  }

  @Test
  @DisplayName("Random REST requests never answer 5xx; every error is {\"error\",\"message\"} with a known code")
  void hostileRestRequests(Vertx vertx, VertxTestContext testContext) {
    HttpClient http = vertx.createHttpClient();
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    List<RequestOptions> requests = HostileInputs.samples(requests(), REST_TRIES);
    List<byte[]> bodies = HostileInputs.samples(HostileInputs.frameBytes(HostileInputs.socketFrames()), REST_TRIES);
    sequence(REST_TRIES, i -> {
      RequestOptions options = requests.get(i);
      byte[] body = bodies.get(i);
      String label = options.getMethod() + " " + options.getURI() + " "
        + (options.getHeaders() == null ? "" : options.getHeaders().get("content-type"));
      return http.request(options)
        .compose(request -> request.send(Buffer.buffer(body)).compose(response -> {
          statuses.merge(response.statusCode(), 1, Integer::sum);
          if (String.valueOf(response.getHeader("content-type")).startsWith("text/event-stream")) {
            request.reset();
            return Future.succeededFuture();
          }
          return response.body().map(answer -> {
            check(label, options, response.statusCode(), answer, problems);
            return null;
          });
        }))
        .recover(failure -> {
          problems.add(label + ": no answer: " + failure);
          return Future.succeededFuture();
        }).mapEmpty();
    }).compose(v -> stillServes(vertx)).eventually(http::close).onComplete(testContext.succeeding(v -> testContext.verify(() -> {
      LOG.info("REST: {} random requests, statuses {}", REST_TRIES, statuses);
      assertThat(problems).isEmpty();
      assertThat(statuses.keySet()).noneMatch(status -> status >= 500);
      testContext.completeNow();
    })));
  }

  private static void check(String label, RequestOptions request, int status, Buffer answer, List<String> problems) {
    if (status >= 500) {
      problems.add(label + ": " + status + " " + answer);
    }
    // Every refusal, whichever handler (or vertx-web itself) makes it, has the contract's error body; HEAD has no body.
    if (status < 400 || request.getMethod() == HttpMethod.HEAD) {
      return;
    }
    try {
      JsonObject error = answer.toJsonObject();
      if (!error.fieldNames().equals(Set.of("error", "message"))
        || !(HostileInputs.REFUSAL_CODES.contains(error.getString("error")) || HTTP_CODES.contains(error.getString("error")))) {
        problems.add(label + ": " + status + " " + answer);
      }
    } catch (RuntimeException notJson) {
      problems.add(label + ": " + status + " not JSON: " + answer);
    }
  }

  private Arbitrary<RequestOptions> requests() {
    Arbitrary<String> hostile = HostileInputs.strings().filter(s -> s.length() < 300);
    Arbitrary<String> segment = Arbitraries.oneOf(
      hostile.map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8)),
      hostile.map(s -> URLEncoder.encode(URLEncoder.encode(s, StandardCharsets.UTF_8), StandardCharsets.UTF_8)),
      Arbitraries.of("general", "..", "%2e%2e", ".", "%zz", "%", "%00", "%ff", "%c3", "dm%3Aalice%3Abob", "dm:bob:alice",
        "a%2Fb", "%252e%252e", "general;x=1", "general%20", "+"));
    Arbitrary<String> path = Arbitraries.oneOf(
      segment.map(room -> "/api/rooms/" + room + "/messages"),
      segment.map(room -> "/api/rooms/" + room),
      Arbitraries.of("/api/rooms", "/api/dms", "/api/me", "/api/users", "/api/login", "/api/register", "/api/logout",
        "/api/guest", "/api/nope", "/api/../api/me", "/api/rooms/general/messages/../../../../health/live", "/health/live",
        "/", "/index.html", "/%2e%2e/%2e%2e/etc/passwd", "/api//rooms", "/api/rooms/general/messages/"),
      segment.map(room -> "/sse?room=" + room));
    Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
      Combinators.combine(Arbitraries.of("after", "before", "limit", "token", "room", "x"), segment)
        .as((name, value) -> name + "=" + value),
      Arbitraries.of("after=%zz", "limit=1&limit=2", "after=1&after=x", "&&&", "=", "after", "after=%2B5", "limit=99999999999999999999"));
    Arbitrary<String> contentType = Arbitraries.of("application/json", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", "application/json; charset=latin1", "x/y;;==", "");
    Arbitrary<HttpMethod> method = Arbitraries.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.OPTIONS, HttpMethod.HEAD);
    Arbitrary<Integer> auth = Arbitraries.integers().between(0, 9);
    return Combinators.combine(method, path, query, contentType, auth).as((m, p, q, type, who) -> {
      String uri = q.isEmpty() ? p : p + (p.contains("?") ? "&" : "?") + q;
      RequestOptions options = new RequestOptions().setMethod(m).setHost("127.0.0.1").setPort(node.port).setURI(uri);
      if (!type.isEmpty()) {
        options.putHeader("content-type", type);
      }
      if (who < 8) {
        options.putHeader("authorization", "Bearer " + alice);
      } else if (who == 8) {
        options.putHeader("authorization", "Bearer not.a.jwt");
      }
      return options;
    });
  }

  /** Afterwards the node is live and a normal send is acknowledged and delivered. */
  private Future<Void> stillServes(Vertx vertx) {
    return node.client.get("/health/live").send().compose(live -> {
      assertThat(live.statusCode()).isEqualTo(200);
      return Future.all(WsTestClient.connect(vertx, node.port, alice), WsTestClient.connect(vertx, node.port, bob));
    }).compose(both -> {
      WsTestClient sender = both.resultAt(0);
      WsTestClient reader = both.resultAt(1);
      reader.join("general");
      return reader.next(WsTestClient.joined("general"))
        .compose(joined -> {
          sender.send("general", "still here", "after-fuzz");
          return Future.all(sender.next(WsTestClient.reply("after-fuzz")),
            reader.next(f -> WsTestClient.message("general").test(f) && "still here".equals(f.getString("text"))));
        })
        .map(all -> {
          assertThat(((JsonObject) all.resultAt(0)).getString("type")).isEqualTo("ack");
          return null;
        })
        .eventually(() -> Future.all(sender.close(), reader.close()))
        .mapEmpty();
    });
  }

  /** Runs the tries one after another. */
  private static Future<Void> sequence(int count, IntFunction<Future<Void>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      int index = i;
      chain = chain.compose(v -> step.apply(index));
    }
    return chain;
  }
}
