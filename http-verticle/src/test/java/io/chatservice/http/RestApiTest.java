package io.chatservice.http;

import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.testing.TestDatabases;
import io.chatservice.http.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("The REST API")
class RestApiTest {

  private static final String PASSWORD = "12345678"; // exactly the shortest the contract allows
  private static final String TRICKY_TEXT = "  <b>hi</b> & \"quotes\" 😀  ";
  private static final String DM = "dm:alice:bob";
  private static final String GENERAL = messagesUri("general", "");

  @FunctionalInterface
  private interface Check<T> {
    void accept(T value) throws Throwable;
  }

  /** The node's text limit for one test; otherwise the contract's default. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  private @interface MaxTextLength {
    int value();
  }

  private TestNode node;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  @BeforeEach
  void startNode(Vertx vertx, TestInfo test, VertxTestContext testContext) {
    int maxTextLength = test.getTestMethod().map(method -> method.getAnnotation(MaxTextLength.class))
      .map(MaxTextLength::value).orElse(TextRules.DEFAULT_MAX);
    TestNode.start(vertx, TestNode.config(TestDatabases.h2(), false, maxTextLength)).onComplete(testContext.succeeding(started -> {
      node = started;
      testContext.completeNow();
    }));
  }

  /** Every documented failure: status, error code and the request that must earn it. */
  static Stream<Arguments> documentedErrors() {
    JsonObject wrongPassword = new JsonObject().put("username", "alice").put("password", "wrong-password");
    return Stream.of(
      row(409, "username_taken", "register ALICE after alice", t -> t.post(null, "/api/register", credentials("ALICE"))),
      row(409, "username_taken", "register Alice as a form", t -> t.form(null, "/api/register", "username", "Alice", "password", PASSWORD)),
      row(409, "username_taken", "register aLiCe as multipart", t -> t.multipart(null, "/api/register", "username", "aLiCe", "password", PASSWORD)),
      row(422, "invalid_username", "register 'a b'", t -> t.post(null, "/api/register", credentials("a b"))),
      row(422, "invalid_username", "register 'ab/cd'", t -> t.post(null, "/api/register", credentials("ab/cd"))),
      row(422, "invalid_username", "register 'x' as a form", t -> t.form(null, "/api/register", "username", "x", "password", PASSWORD)),
      row(422, "invalid_username", "register 33 characters as multipart", t -> t.multipart(null, "/api/register", "username", "a".repeat(33), "password", PASSWORD)),
      row(422, "invalid_password", "register a 7-character password", t -> t.post(null, "/api/register", new JsonObject().put("username", "dave").put("password", "1234567"))),
      row(422, "invalid_password", "register without password as a form", t -> t.form(null, "/api/register", "username", "dave")),
      row(422, "invalid_password", "register a short password as multipart", t -> t.multipart(null, "/api/register", "username", "dave", "password", "short")),
      row(400, "malformed_body", "register truncated JSON", t -> t.raw(null, "/api/register", "{\"username\": ")),
      row(400, "malformed_body", "register a JSON array", t -> t.raw(null, "/api/register", "[\"dave\", \"12345678\"]")),
      row(400, "malformed_body", "register an empty JSON body", t -> t.raw(null, "/api/register", "")),
      row(400, "malformed_body", "login with non-JSON", t -> t.raw(null, "/api/login", "{nope")),
      row(400, "malformed_body", "create a room with a JSON array", t -> t.raw("alice", "/api/rooms", "[]")),
      row(400, "malformed_body", "open a dm with a JSON string", t -> t.raw("alice", "/api/dms", "\"bob\"")),
      row(400, "malformed_body", "post truncated JSON", t -> t.raw("alice", GENERAL, "{\"text\":\"hi\"")),
      row(401, "bad_credentials", "login with a wrong password", t -> t.post(null, "/api/login", wrongPassword)),
      row(401, "bad_credentials", "login with a wrong password as a form", t -> t.form(null, "/api/login", "username", "alice", "password", "wrong-password")),
      row(401, "bad_credentials", "login as an unknown user", t -> t.post(null, "/api/login", credentials("nobody"))),
      row(401, "unauthenticated", "GET /api/me without a token", t -> t.get(null, "/api/me")),
      row(401, "unauthenticated", "GET /api/users without a token", t -> t.get(null, "/api/users")),
      row(401, "unauthenticated", "GET /api/rooms without a token", t -> t.get(null, "/api/rooms")),
      row(401, "unauthenticated", "POST /api/rooms without a token", t -> t.post(null, "/api/rooms", new JsonObject().put("name", "x"))),
      row(401, "unauthenticated", "POST /api/dms without a token", t -> t.post(null, "/api/dms", new JsonObject().put("with", "bob"))),
      row(401, "unauthenticated", "read history without a token", t -> t.get(null, GENERAL)),
      row(401, "unauthenticated", "post without a token", t -> t.post(null, GENERAL, new JsonObject().put("text", "hi"))),
      row(401, "unauthenticated", "a garbage Bearer token", t -> t.node.client.get("/api/me").bearerTokenAuthentication("not.a.jwt").send()),
      row(401, "unauthenticated", "a garbage ?token=", t -> t.node.client.get("/api/me?token=garbage").send()),
      row(401, "unauthenticated", "a garbage cookie", t -> t.node.client.get("/api/me").putHeader("Cookie", "chat_token=garbage").send()),
      row(409, "room_exists", "create random again", t -> t.post("alice", "/api/rooms", new JsonObject().put("name", "random"))),
      row(409, "room_exists", "create general", t -> t.form("alice", "/api/rooms", "name", "general")),
      row(422, "invalid_room", "create 'Bad Name'", t -> t.post("alice", "/api/rooms", new JsonObject().put("name", "Bad Name"))),
      row(422, "invalid_room", "create '-x'", t -> t.post("alice", "/api/rooms", new JsonObject().put("name", "-x"))),
      row(422, "invalid_room", "create 33 characters", t -> t.post("alice", "/api/rooms", new JsonObject().put("name", "a".repeat(33)))),
      row(422, "invalid_room", "create 'General'", t -> t.post("alice", "/api/rooms", new JsonObject().put("name", "General"))),
      row(422, "invalid_room", "create a dm id", t -> t.post("alice", "/api/rooms", new JsonObject().put("name", DM))),
      row(422, "invalid_room", "create without a name", t -> t.post("alice", "/api/rooms", new JsonObject())),
      row(422, "invalid_text", "post empty text", t -> t.send("alice", "general", "")),
      row(422, "invalid_text", "post white space only", t -> t.send("alice", "general", " \n\t\u2003 ")),
      row(422, "invalid_text", "post without text", t -> t.post("alice", GENERAL, new JsonObject())),
      row(422, "invalid_text", "post a number as text", t -> t.post("alice", GENERAL, new JsonObject().put("text", 42))),
      row(422, "invalid_text", "post blank form text", t -> t.form("alice", GENERAL, "text", "   ")),
      row(422, "invalid_text", "post empty multipart msg", t -> t.multipart("alice", GENERAL, "msg", "")),
      row(413, "text_too_long", "post 4001 characters", t -> t.send("alice", "general", "x".repeat(4001))),
      row(404, "unknown_room", "read an unknown room", t -> t.get("alice", messagesUri("nosuchroom", ""))),
      row(404, "unknown_room", "post to an unknown room", t -> t.send("alice", "nosuchroom", "hi")),
      row(422, "invalid_parameter", "limit=abc", t -> t.get("alice", messagesUri("general", "limit=abc"))),
      row(422, "invalid_parameter", "after=-1", t -> t.get("alice", messagesUri("general", "after=-1"))),
      row(422, "invalid_parameter", "before=x", t -> t.get("alice", messagesUri("general", "before=x"))),
      row(422, "invalid_parameter", "after=1.5", t -> t.get("alice", messagesUri("general", "after=1.5"))),
      row(422, "invalid_parameter", "limit=", t -> t.get("alice", messagesUri("general", "limit="))),
      row(422, "invalid_parameter", "after beyond a long", t -> t.get("alice", messagesUri("general", "after=99999999999999999999"))),
      row(404, "unknown_user", "a dm with an unknown user", t -> t.post("alice", "/api/dms", new JsonObject().put("with", "nobody"))),
      row(422, "invalid_username", "a dm with yourself", t -> t.post("alice", "/api/dms", new JsonObject().put("with", "alice"))),
      row(422, "invalid_username", "a dm with yourself in capitals", t -> t.form("alice", "/api/dms", "with", "ALICE")),
      row(422, "invalid_username", "a dm with a non-name", t -> t.post("alice", "/api/dms", new JsonObject().put("with", "not a name!"))),
      row(403, "not_a_participant", "carol reads dm:alice:bob", t -> t.get("carol", messagesUri(DM, ""))),
      row(403, "not_a_participant", "carol posts to dm:alice:bob", t -> t.send("carol", DM, "carol was here")),
      row(404, "not_found", "GET an unknown /api path", t -> t.get("alice", "/api/nosuch")),
      row(404, "not_found", "POST an unknown /api path", t -> t.post("alice", "/api/rooms/general", new JsonObject())));
  }

  @ParameterizedTest(name = "{2}: {0} {1}")
  @MethodSource("documentedErrors")
  @DisplayName("Each documented failure answers its status and an {\"error\",\"message\"} JSON body")
  void documentedError(int status, String error, String label, Function<RestApiTest, Future<HttpResponse<Buffer>>> request,
                       VertxTestContext testContext) {
    Future<?> fixture = users("alice", "bob", "carol").compose(v -> sequence(
      () -> post("alice", "/api/rooms", new JsonObject().put("name", "random")), () -> send("alice", DM, "secret")));
    expect(testContext, fixture.compose(v -> request.apply(this)), response -> assertError(response, status, error));
  }

  @Test
  @DisplayName("Registration accepts JSON, urlencoded and multipart bodies, and each account can then log in")
  void registerInEveryBodyShape(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> registered = sequence(
      () -> post(null, "/api/register", credentials("alice")),
      () -> form(null, "/api/register", "username", "bob", "password", PASSWORD),
      () -> multipart(null, "/api/register", "username", "carol", "password", PASSWORD));
    Future<List<HttpResponse<Buffer>>> loggedIn = registered.compose(v -> sequence(
      () -> post(null, "/api/login", credentials("alice")),
      () -> form(null, "/api/login", "username", "bob", "password", PASSWORD),
      () -> multipart(null, "/api/login", "username", "carol", "password", PASSWORD)));
    expect(testContext, loggedIn, logins -> {
      List<String> names = List.of("alice", "bob", "carol");
      for (int i = 0; i < names.size(); i++) {
        assertThat(assertStatus(registered.result().get(i), 201).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", names.get(i)));
        assertThat(assertStatus(logins.get(i), 200).bodyAsJsonObject().getString("username")).isEqualTo(names.get(i));
      }
    });
  }

  @Test
  @DisplayName("Login, in any case, answers token, the registered username and expiresAt (the token's exp), and sets an HttpOnly SameSite=Lax cookie")
  void login(VertxTestContext testContext) {
    long start = System.currentTimeMillis();
    Future<HttpResponse<Buffer>> login = post(null, "/api/register", credentials("Alice"))
      .compose(v -> post(null, "/api/login", credentials("aLiCe")));
    Future<List<HttpResponse<Buffer>>> after = login.compose(response -> {
      tokens.put("Alice", assertStatus(response, 200).bodyAsJsonObject().getString("token"));
      return sequence(() -> get("Alice", "/api/me"), () -> send("Alice", "general", "hi"));
    });
    expect(testContext, after, responses -> {
      JsonObject body = login.result().bodyAsJsonObject();
      assertThat(body.fieldNames()).containsExactlyInAnyOrder("token", "username", "expiresAt");
      assertThat(body.getString("username")).isEqualTo("Alice");
      String claims = new String(Base64.getUrlDecoder().decode(body.getString("token").split("\\.")[1]), StandardCharsets.UTF_8);
      // The node reads the clock twice (expiresAt, then the JWT library's exp), so a second may tick in between.
      long exp = new JsonObject(claims).getLong("exp") * 1000;
      assertThat(body.getLong("expiresAt")).isGreaterThan(start).isBetween(exp - 1000, exp);
      List<String> cookie = cookieParts(login.result());
      assertThat(cookie.get(0)).isEqualTo("chat_token=" + body.getString("token"));
      assertThat(cookie).contains("httponly", "samesite=lax", "path=/");
      assertThat(responses.get(0).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "Alice"));
      assertThat(responses.get(1).bodyAsJsonObject().getString("from")).isEqualTo("Alice");
    });
  }

  @Test
  @DisplayName("Logout clears the chat_token cookie with Max-Age=0")
  void logoutClearsCookie(VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> logout = users("alice")
      .compose(v -> node.client.post("/api/logout").putHeader("Cookie", "chat_token=" + tokens.get("alice")).send());
    expect(testContext, logout, response -> {
      List<String> cookie = cookieParts(assertStatus(response, 200));
      assertThat(cookie.get(0)).isEqualTo("chat_token=");
      assertThat(cookie).contains("max-age=0", "path=/");
    });
  }

  @Test
  @DisplayName("/api/me accepts the login cookie, a Bearer header or a ?token= parameter")
  void meViaEveryCarrier(VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> login = post(null, "/api/register", credentials("alice"))
      .compose(v -> post(null, "/api/login", credentials("alice")));
    Supplier<String> token = () -> login.result().bodyAsJsonObject().getString("token");
    expectEach(testContext, login, Map.of(
      "cookie", () -> node.client.get("/api/me").putHeader("Cookie", cookieParts(login.result()).get(0)).send(),
      "bearer", () -> node.client.get("/api/me").bearerTokenAuthentication(token.get()).send(),
      "query", () -> node.client.get("/api/me").addQueryParam("token", token.get()).send()),
      response -> assertThat(assertStatus(response, 200).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "alice")));
  }

  @Test
  @DisplayName("/api/users lists every registered user, offline while nobody has a socket open")
  void usersList(VertxTestContext testContext) {
    expect(testContext, users("alice", "Bob", "carol").compose(v -> get("alice", "/api/users")), response ->
      assertThat(objects(assertStatus(response, 200).bodyAsJsonArray())).containsExactlyInAnyOrder(
        offline("alice"), offline("Bob"), offline("carol")));
  }

  @Test
  @DisplayName("Rooms: general is listed with its lastSeq; POST creates a room (JSON or form, 1 to 32 characters)")
  void listAndCreateRooms(VertxTestContext testContext) {
    String longest = "r" + "-".repeat(30) + "9";
    Future<List<HttpResponse<Buffer>>> steps = users("alice").compose(v -> sequence(
      () -> get("alice", "/api/rooms"),
      () -> post("alice", "/api/rooms", new JsonObject().put("name", "random")),
      () -> form("alice", "/api/rooms", "name", "x"),
      () -> post("alice", "/api/rooms", new JsonObject().put("name", longest)),
      () -> send("alice", "general", "hi"),
      () -> get("alice", "/api/rooms")));
    expect(testContext, steps, responses -> {
      assertThat(objects(responses.get(0).bodyAsJsonArray())).containsExactly(room("general", 0));
      assertThat(assertStatus(responses.get(1), 201).bodyAsJsonObject()).isEqualTo(room("random", 0));
      assertStatus(responses.get(2), 201);
      assertStatus(responses.get(3), 201);
      assertThat(objects(responses.get(5).bodyAsJsonArray())).containsExactlyInAnyOrder(
        room("general", 1), room("random", 0), room("x", 0), room(longest, 0));
    });
  }

  @Test
  @DisplayName("A message can be posted as JSON text, form text, form msg or multipart msg/text; the answer is the stored message")
  void postInEveryBodyShape(VertxTestContext testContext) {
    long start = System.currentTimeMillis();
    Future<List<HttpResponse<Buffer>>> posted = users("alice").compose(v -> sequence(
      () -> send("alice", "general", "one"),
      () -> form("alice", GENERAL, "text", "two"),
      () -> form("alice", GENERAL, "msg", "three"),
      () -> multipart("alice", GENERAL, "msg", "four"),
      () -> multipart("alice", GENERAL, "text", "five")));
    expect(testContext, posted.compose(v -> history("alice", "general", "")), stored -> {
      List<String> texts = List.of("one", "two", "three", "four", "five");
      for (int i = 0; i < texts.size(); i++) {
        JsonObject message = assertStatus(posted.result().get(i), 201).bodyAsJsonObject();
        assertThat(message.fieldNames()).containsExactlyInAnyOrder("id", "room", "seq", "from", "text", "ts");
        assertThat(message.getString("room")).isEqualTo("general");
        assertThat(message.getLong("seq")).isEqualTo(i + 1);
        assertThat(message.getString("from")).isEqualTo("alice");
        assertThat(message.getString("text")).isEqualTo(texts.get(i));
        assertThat(message.getLong("ts")).isBetween(start, System.currentTimeMillis());
        assertThat(stored.getJsonObject(i)).isEqualTo(message);
      }
    });
  }

  @Test
  @DisplayName("The sender is always the authenticated user, whatever 'from' the body carries")
  void fromIsTheAuthenticatedUser(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> posted = users("alice", "mallory").compose(v -> sequence(
      () -> post("alice", GENERAL, new JsonObject().put("text", "a").put("from", "mallory")),
      () -> form("alice", GENERAL, "from", "mallory", "text", "b"),
      () -> multipart("alice", GENERAL, "from", "mallory", "msg", "c")));
    expect(testContext, posted.compose(v -> history("mallory", "general", "")), stored -> {
      posted.result().forEach(response -> assertThat(assertStatus(response, 201).bodyAsJsonObject().getString("from")).isEqualTo("alice"));
      assertThat(objects(stored)).extracting(m -> m.getString("from")).containsExactly("alice", "alice", "alice");
    });
  }

  @Test
  @DisplayName("Text is stored exactly as sent (markup, quotes, emoji and surrounding spaces), as JSON, form or multipart")
  void textRoundTripsExactly(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> posted = users("alice").compose(v -> sequence(
      () -> send("alice", "general", TRICKY_TEXT),
      () -> form("alice", GENERAL, "text", TRICKY_TEXT),
      () -> multipart("alice", GENERAL, "msg", TRICKY_TEXT)));
    expect(testContext, posted.compose(v -> history("alice", "general", "")), stored -> {
      posted.result().forEach(response -> assertThat(assertStatus(response, 201).bodyAsJsonObject().getString("text")).isEqualTo(TRICKY_TEXT));
      assertThat(objects(stored)).extracting(m -> m.getString("text")).containsExactly(TRICKY_TEXT, TRICKY_TEXT, TRICKY_TEXT);
    });
  }

  @Test
  @DisplayName("The text limit counts code points, ignoring surrounding space: 11 is 413, 10 emoji are fine")
  @MaxTextLength(10)
  void textLimitInCodePoints(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> posted = users("alice").compose(v -> sequence(
      () -> send("alice", "general", "12345678901"),
      () -> send("alice", "general", "😀".repeat(10)),
      () -> send("alice", "general", "😀".repeat(11)),
      () -> send("alice", "general", "  1234567890 \n")));
    expect(testContext, posted, responses -> {
      assertError(responses.get(0), 413, "text_too_long");
      assertThat(assertStatus(responses.get(1), 201).bodyAsJsonObject().getString("text")).isEqualTo("😀".repeat(10));
      assertError(responses.get(2), 413, "text_too_long");
      assertStatus(responses.get(3), 201);
    });
  }

  @Test
  @DisplayName("History pages: after gives the oldest after it, before the newest before it, always ascending")
  void historyPaging(VertxTestContext testContext) {
    expectHistory(testContext, 10, Map.of(
      "after=3&limit=2", List.of(4L, 5L),
      "before=5&limit=2", List.of(3L, 4L),
      "", seqs(1, 10),
      "limit=3", List.of(8L, 9L, 10L),
      "after=8", List.of(9L, 10L),
      "before=3", List.of(1L, 2L),
      "after=10", List.of()));
  }

  @Test
  @DisplayName("History gives the newest 50 by default and never more than 200 at once")
  void historyLimits(VertxTestContext testContext) {
    expectHistory(testContext, 205, Map.of(
      "", seqs(156, 205),
      "limit=500", seqs(6, 205),
      "after=0&limit=1000", seqs(1, 200),
      "after=200&limit=300", seqs(201, 205)));
  }

  @Test
  @DisplayName("POST /api/dms answers the canonical dm id, from either side and in any case, every time")
  void openDm(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> opened = users("alice", "bob").compose(v -> sequence(
      () -> post("alice", "/api/dms", new JsonObject().put("with", "bob")),
      () -> post("alice", "/api/dms", new JsonObject().put("with", "bob")),
      () -> post("bob", "/api/dms", new JsonObject().put("with", "ALICE")),
      () -> form("alice", "/api/dms", "with", "Bob")));
    expect(testContext, opened, responses -> responses.forEach(response ->
      assertThat(assertStatus(response, 201).bodyAsJsonObject()).isEqualTo(new JsonObject().put("room", DM))));
  }

  @Test
  @DisplayName("A dm is private: alice's first message creates it, bob reads it, carol neither sees nor writes it")
  void dmIsPrivate(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> steps = users("alice", "bob", "carol").compose(v -> sequence(
      () -> send("alice", DM, "secret from alice"),
      () -> send("carol", DM, "carol was here"),
      () -> get("carol", "/api/rooms"),
      () -> get("bob", "/api/rooms"),
      () -> get("bob", messagesUri(DM, ""))));
    expect(testContext, steps, responses -> {
      assertThat(assertStatus(responses.get(0), 201).bodyAsJsonObject().getString("room")).isEqualTo(DM);
      assertError(responses.get(1), 403, "not_a_participant");
      assertThat(objects(responses.get(2).bodyAsJsonArray())).containsExactly(room("general", 0));
      assertThat(objects(responses.get(3).bodyAsJsonArray())).contains(room(DM, 1));
      assertThat(objects(responses.get(4).bodyAsJsonArray())).extracting(m -> m.getString("from") + ": " + m.getString("text"))
        .containsExactly("alice: secret from alice");
    });
  }

  @Test
  @DisplayName("Other spellings of a dm id are refused with 403 or 422, never a way into someone else's dm")
  void dmSpellingsAreNoWayIn(VertxTestContext testContext) {
    Map<String, Supplier<Future<HttpResponse<Buffer>>>> cases = new LinkedHashMap<>();
    for (String room : List.of("dm:bob:alice", "DM:alice:bob", "dm:Alice:bob", "dm:alice:BOB", "dm%3Aalice%3Abob",
      "dm%3abob%3aalice", "dm:alice:bob%20", "%20dm:alice:bob", "dm:alice:bob:carol", "dm::alice:bob")) {
      cases.put("read " + room, () -> get("carol", messagesUri(room, "")));
      cases.put("write " + room, () -> send("carol", room, "carol was here"));
    }
    Checkpoint untouched = testContext.checkpoint();
    Future<?> setup = users("alice", "bob", "carol").compose(v -> send("alice", DM, "secret from alice"));
    expectEach(testContext, setup, cases, response -> {
      assertThat(response.statusCode()).as(response.bodyAsString()).isIn(403, 422);
      assertThat(response.bodyAsJsonObject().getString("error")).isIn("not_a_participant", "invalid_room");
      assertThat(response.bodyAsString()).doesNotContain("secret");
    }).compose(v -> history("bob", DM, "")).onComplete(testContext.succeeding(stored -> testContext.verify(() -> {
      assertThat(objects(stored)).extracting(m -> m.getString("text")).containsExactly("secret from alice");
      untouched.flag();
    })));
  }

  @Test
  @DisplayName("/health/live and /health/ready answer 200 without a token")
  void health(VertxTestContext testContext) {
    expectEach(testContext, Future.succeededFuture(), Map.of(
      "live", () -> get(null, "/health/live"), "ready", () -> get(null, "/health/ready")),
      response -> assertStatus(response, 200));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Arguments row(int status, String error, String label, Function<RestApiTest, Future<HttpResponse<Buffer>>> request) {
    return Arguments.of(status, error, label, request);
  }

  private static <T> void expect(VertxTestContext testContext, Future<T> future, Check<T> check) {
    future.onComplete(testContext.succeeding(value -> testContext.verify(() -> {
      check.accept(value);
      testContext.completeNow();
    })));
  }

  /** After setup, sends every request at once, one checkpoint each; the Future completes when all have answered. */
  private static Future<Void> expectEach(VertxTestContext testContext, Future<?> setup,
                                         Map<String, Supplier<Future<HttpResponse<Buffer>>>> cases, Check<HttpResponse<Buffer>> check) {
    Checkpoint answered = testContext.checkpoint(cases.size());
    return setup.compose(ready -> Future.join(cases.entrySet().stream().map(entry -> entry.getValue().get()
      .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
        try {
          check.accept(response);
        } catch (AssertionError e) {
          throw new AssertionError(entry.getKey() + ": " + e.getMessage(), e);
        }
        answered.flag();
      })))).toList())).mapEmpty();
  }

  /** Posts {@code count} messages to general as alice, then checks the seqs each history query answers. */
  private void expectHistory(VertxTestContext testContext, int count, Map<String, List<Long>> expected) {
    Future<?> posted = users("alice").compose(v -> Future.all(IntStream.rangeClosed(1, count)
      .mapToObj(i -> send("alice", "general", "message " + i).map(r -> assertStatus(r, 201))).toList()));
    Future<Map<String, List<Long>>> pages = posted.compose(v -> {
      Map<String, Future<JsonArray>> answers = new LinkedHashMap<>();
      expected.keySet().forEach(query -> answers.put(query, history("alice", "general", query)));
      return Future.all(new ArrayList<>(answers.values())).map(all -> {
        Map<String, List<Long>> seqs = new LinkedHashMap<>();
        answers.forEach((query, page) -> seqs.put(query, objects(page.result()).stream().map(m -> m.getLong("seq")).toList()));
        return seqs;
      });
    });
    expect(testContext, pages, actual -> assertThat(actual).isEqualTo(expected));
  }

  @SafeVarargs
  private static Future<List<HttpResponse<Buffer>>> sequence(Supplier<Future<HttpResponse<Buffer>>>... steps) {
    Future<List<HttpResponse<Buffer>>> done = Future.succeededFuture(new ArrayList<>());
    for (Supplier<Future<HttpResponse<Buffer>>> step : steps) {
      done = done.compose(list -> step.get().map(response -> {
        list.add(response);
        return list;
      }));
    }
    return done;
  }

  /** Registers and logs in each user; the request helpers then send that user's token. */
  private Future<Void> users(String... names) {
    return Future.all(Arrays.stream(names).map(name -> node.registerAndLogin(name, PASSWORD)
      .map(token -> tokens.put(name, token))).toList()).mapEmpty();
  }

  private HttpRequest<Buffer> request(HttpMethod method, String user, String uri) {
    HttpRequest<Buffer> request = node.client.request(method, uri);
    return user == null ? request : request.bearerTokenAuthentication(tokens.get(user));
  }

  private Future<HttpResponse<Buffer>> get(String user, String uri) {
    return request(HttpMethod.GET, user, uri).send();
  }

  private Future<HttpResponse<Buffer>> post(String user, String uri, JsonObject body) {
    return request(HttpMethod.POST, user, uri).sendJsonObject(body);
  }

  private Future<HttpResponse<Buffer>> raw(String user, String uri, String json) {
    return request(HttpMethod.POST, user, uri).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json));
  }

  private Future<HttpResponse<Buffer>> form(String user, String uri, String... pairs) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < pairs.length; i += 2) {
      form.add(pairs[i], pairs[i + 1]);
    }
    return request(HttpMethod.POST, user, uri).sendForm(form);
  }

  private Future<HttpResponse<Buffer>> multipart(String user, String uri, String... pairs) {
    MultipartForm form = MultipartForm.create();
    for (int i = 0; i < pairs.length; i += 2) {
      form.attribute(pairs[i], pairs[i + 1]);
    }
    return request(HttpMethod.POST, user, uri).sendMultipartForm(form);
  }

  private Future<HttpResponse<Buffer>> send(String user, String room, String text) {
    return post(user, messagesUri(room, ""), new JsonObject().put("text", text));
  }

  private Future<JsonArray> history(String user, String room, String query) {
    return get(user, messagesUri(room, query)).map(response -> assertStatus(response, 200).bodyAsJsonArray());
  }

  private static String messagesUri(String room, String query) {
    return "/api/rooms/" + room + "/messages" + (query.isEmpty() ? "" : "?" + query);
  }

  private static JsonObject credentials(String username) {
    return new JsonObject().put("username", username).put("password", PASSWORD);
  }

  private static JsonObject room(String name, long lastSeq) {
    return new JsonObject().put("name", name).put("lastSeq", lastSeq);
  }

  private static JsonObject offline(String username) {
    return new JsonObject().put("username", username).put("online", false);
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  private static List<Long> seqs(long first, long last) {
    return LongStream.rangeClosed(first, last).boxed().toList();
  }

  /** The chat_token Set-Cookie header in parts: "name=value" as sent, then the attributes in lower case. */
  private static List<String> cookieParts(HttpResponse<Buffer> response) {
    String header = response.cookies().stream().filter(c -> c.startsWith("chat_token=")).findFirst()
      .orElseThrow(() -> new AssertionError("no chat_token cookie in " + response.cookies()));
    String[] parts = header.split(";");
    return Stream.concat(Stream.of(parts[0].trim()), Arrays.stream(parts).skip(1).map(p -> p.trim().toLowerCase(Locale.ROOT))).toList();
  }

  private static HttpResponse<Buffer> assertStatus(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as("status; body %s", response.bodyAsString()).isEqualTo(status);
    return response;
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String error) {
    assertStatus(response, status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo(error);
    assertThat(response.bodyAsJsonObject().getString("message")).isNotBlank();
  }
}
