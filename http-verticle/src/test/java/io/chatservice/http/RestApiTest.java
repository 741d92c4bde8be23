package io.chatservice.http;

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
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("The REST API")
class RestApiTest {

  /** Exactly the shortest password the contract allows. */
  private static final String PASSWORD = "12345678";
  private static final String TRICKY_TEXT = "  <b>hi</b> & \"quotes\" 😀  ";
  private static final String DM = "dm:alice:bob";

  @FunctionalInterface
  private interface Check<T> {
    void accept(T value) throws Throwable;
  }

  private TestNode node;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext testContext) {
    TestNode.start(vertx).onComplete(testContext.succeeding(started -> {
      node = started;
      testContext.completeNow();
    }));
  }

  // ---- accounts -------------------------------------------------------------------------------

  @Test
  @DisplayName("Registration accepts JSON, urlencoded and multipart bodies, and each account can then log in")
  void registerInEveryBodyShape(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> registered = sequence(
      () -> postJson(null, "/api/register", credentials("alice")),
      () -> postForm(null, "/api/register", false, "username", "bob", "password", PASSWORD),
      () -> postForm(null, "/api/register", true, "username", "carol", "password", PASSWORD));
    Future<List<HttpResponse<Buffer>>> loggedIn = registered.compose(v -> sequence(
      () -> postJson(null, "/api/login", credentials("alice")),
      () -> postForm(null, "/api/login", false, "username", "bob", "password", PASSWORD),
      () -> postForm(null, "/api/login", true, "username", "carol", "password", PASSWORD)));
    expect(testContext, loggedIn, logins -> {
      List<String> names = List.of("alice", "bob", "carol");
      for (int i = 0; i < names.size(); i++) {
        assertStatus(registered.result().get(i), 201);
        assertThat(registered.result().get(i).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", names.get(i)));
        assertStatus(logins.get(i), 200);
      }
    });
  }

  @Test
  @DisplayName("A username is taken whatever its case: alice, then ALICE or Alice is 409")
  void duplicateUsernameIgnoresCase(VertxTestContext testContext) {
    expectEach(testContext, users("alice"), Map.of(
      "JSON ALICE", () -> postJson(null, "/api/register", credentials("ALICE")),
      "form Alice", () -> postForm(null, "/api/register", false, "username", "Alice", "password", PASSWORD),
      "multipart aLiCe", () -> postForm(null, "/api/register", true, "username", "aLiCe", "password", PASSWORD)),
      response -> assertError(response, 409, "username_taken"));
  }

  @Test
  @DisplayName("Registration refuses a bad username or a short password with 422, in every body shape")
  void invalidRegistration(VertxTestContext testContext) {
    Map<String, Supplier<Future<HttpResponse<Buffer>>>> cases = new LinkedHashMap<>();
    for (String name : List.of("a b", "x", "ab/cd", "é-name", "a".repeat(33))) {
      cases.put("JSON " + name, () -> postJson(null, "/api/register", credentials(name)));
      cases.put("form " + name, () -> postForm(null, "/api/register", false, "username", name, "password", PASSWORD));
      cases.put("multipart " + name, () -> postForm(null, "/api/register", true, "username", name, "password", PASSWORD));
    }
    expectEach(testContext, Future.succeededFuture(), cases, response -> assertError(response, 422, "invalid_username"));
  }

  @Test
  @DisplayName("A password shorter than 8 characters, or none, is 422 invalid_password")
  void shortPassword(VertxTestContext testContext) {
    expectEach(testContext, Future.succeededFuture(), Map.of(
      "JSON", () -> postJson(null, "/api/register", new JsonObject().put("username", "alice").put("password", "1234567")),
      "JSON without password", () -> postJson(null, "/api/register", new JsonObject().put("username", "alice")),
      "form", () -> postForm(null, "/api/register", false, "username", "alice", "password", "short"),
      "multipart", () -> postForm(null, "/api/register", true, "username", "alice", "password", "short")),
      response -> assertError(response, 422, "invalid_password"));
  }

  @Test
  @DisplayName("A body that is not a JSON object (malformed, an array, a string, empty) is 400 malformed_body")
  void malformedBodies(VertxTestContext testContext) {
    expectEach(testContext, users("alice"), Map.of(
      "register truncated JSON", () -> postRaw(null, "/api/register", "{\"username\": "),
      "register JSON array", () -> postRaw(null, "/api/register", "[\"alice\", \"12345678\"]"),
      "register empty body", () -> postRaw(null, "/api/register", ""),
      "login not JSON", () -> postRaw(null, "/api/login", "{nope"),
      "create room array", () -> postRaw("alice", "/api/rooms", "[]"),
      "open dm string", () -> postRaw("alice", "/api/dms", "\"bob\""),
      "message truncated", () -> postRaw("alice", messagesUri("general", ""), "{\"text\":\"hi\"")),
      response -> assertError(response, 400, "malformed_body"));
  }

  @Test
  @DisplayName("Login answers token, username and expiresAt (the token's exp) and sets an HttpOnly SameSite=Lax chat_token cookie")
  void login(VertxTestContext testContext) {
    long start = System.currentTimeMillis();
    Future<HttpResponse<Buffer>> login = postJson(null, "/api/register", credentials("alice"))
      .compose(v -> postJson(null, "/api/login", credentials("alice")));
    expect(testContext, login, response -> {
      assertStatus(response, 200);
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.fieldNames()).containsExactlyInAnyOrder("token", "username", "expiresAt");
      assertThat(body.getString("username")).isEqualTo("alice");
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(body.getString("token").split("\\.")[1]), StandardCharsets.UTF_8));
      assertThat(body.getLong("expiresAt")).isGreaterThan(start).isEqualTo(claims.getLong("exp") * 1000);
      List<String> cookie = cookieAttributes(response);
      assertThat(cookie.get(0)).isEqualTo("chat_token=" + body.getString("token"));
      assertThat(cookie).contains("httponly", "samesite=lax", "path=/");
    });
  }

  @Test
  @DisplayName("Login matches the username case-insensitively and the session keeps the registered spelling")
  void loginIgnoresCase(VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> login = postJson(null, "/api/register", credentials("Alice"))
      .compose(v -> postJson(null, "/api/login", credentials("aLiCe")))
      .onSuccess(response -> tokens.put("Alice", response.bodyAsJsonObject().getString("token")));
    Future<List<HttpResponse<Buffer>>> after = login.compose(v -> sequence(
      () -> get("Alice", "/api/me"), () -> send("Alice", "general", "hi")));
    expect(testContext, after, responses -> {
      assertStatus(login.result(), 200);
      assertThat(login.result().bodyAsJsonObject().getString("username")).isEqualTo("Alice");
      assertThat(responses.get(0).bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "Alice"));
      assertThat(responses.get(1).bodyAsJsonObject().getString("from")).isEqualTo("Alice");
    });
  }

  @Test
  @DisplayName("A wrong password and an unknown user are both 401 bad_credentials")
  void badCredentials(VertxTestContext testContext) {
    expectEach(testContext, users("alice"), Map.of(
      "wrong password", () -> postJson(null, "/api/login", new JsonObject().put("username", "alice").put("password", "wrong-password")),
      "wrong password, form", () -> postForm(null, "/api/login", false, "username", "alice", "password", "wrong-password"),
      "unknown user", () -> postJson(null, "/api/login", credentials("nobody")),
      "no password", () -> postJson(null, "/api/login", new JsonObject().put("username", "alice"))),
      response -> assertError(response, 401, "bad_credentials"));
  }

  @Test
  @DisplayName("Logout clears the chat_token cookie with Max-Age=0")
  void logoutClearsCookie(VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> logout = users("alice").compose(v -> node.client.post("/api/logout")
      .putHeader("Cookie", "chat_token=" + tokens.get("alice")).send());
    expect(testContext, logout, response -> {
      assertStatus(response, 200);
      List<String> cookie = cookieAttributes(response);
      assertThat(cookie.get(0)).isEqualTo("chat_token=");
      assertThat(cookie).contains("max-age=0", "path=/");
    });
  }

  @Test
  @DisplayName("/api/me accepts the login cookie, a Bearer header or a ?token= parameter")
  void meViaEveryCarrier(VertxTestContext testContext) {
    Future<HttpResponse<Buffer>> login = postJson(null, "/api/register", credentials("alice"))
      .compose(v -> postJson(null, "/api/login", credentials("alice")));
    Supplier<String> token = () -> login.result().bodyAsJsonObject().getString("token");
    expectEach(testContext, login, Map.of(
      "cookie", () -> node.client.get("/api/me").putHeader("Cookie", cookieAttributes(login.result()).get(0)).send(),
      "bearer", () -> node.client.get("/api/me").bearerTokenAuthentication(token.get()).send(),
      "query", () -> node.client.get("/api/me").addQueryParam("token", token.get()).send()),
      response -> {
        assertStatus(response, 200);
        assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("username", "alice"));
      });
  }

  @Test
  @DisplayName("Without a valid token every other API is 401 {\"error\":\"unauthenticated\"}")
  void unauthenticated(VertxTestContext testContext) {
    expectEach(testContext, Future.succeededFuture(), Map.of(
      "me", () -> get(null, "/api/me"),
      "users", () -> get(null, "/api/users"),
      "rooms", () -> get(null, "/api/rooms"),
      "create room", () -> postJson(null, "/api/rooms", new JsonObject().put("name", "x")),
      "open dm", () -> postJson(null, "/api/dms", new JsonObject().put("with", "bob")),
      "history", () -> get(null, messagesUri("general", "")),
      "post", () -> postJson(null, messagesUri("general", ""), new JsonObject().put("text", "hi")),
      "garbage bearer", () -> node.client.get("/api/me").bearerTokenAuthentication("not.a.jwt").send(),
      "garbage query", () -> node.client.get("/api/me?token=garbage").send(),
      "garbage cookie", () -> node.client.get("/api/me").putHeader("Cookie", "chat_token=garbage").send()),
      response -> assertError(response, 401, "unauthenticated"));
  }

  @Test
  @DisplayName("/api/users lists every registered user, offline while nobody has a socket open")
  void usersList(VertxTestContext testContext) {
    expect(testContext, users("alice", "Bob", "carol").compose(v -> get("alice", "/api/users")), response -> {
      assertStatus(response, 200);
      assertThat(objects(response.bodyAsJsonArray())).containsExactlyInAnyOrder(
        user("alice"), user("Bob"), user("carol"));
    });
  }

  // ---- rooms ----------------------------------------------------------------------------------

  @Test
  @DisplayName("Rooms: general is listed with its lastSeq; POST creates a room (JSON or form, 1 to 32 characters)")
  void listAndCreateRooms(VertxTestContext testContext) {
    String longest = "r" + "-".repeat(30) + "9";
    Future<List<HttpResponse<Buffer>>> steps = users("alice").compose(v -> sequence(
      () -> get("alice", "/api/rooms"),
      () -> postJson("alice", "/api/rooms", new JsonObject().put("name", "random")),
      () -> postForm("alice", "/api/rooms", false, "name", "x"),
      () -> postJson("alice", "/api/rooms", new JsonObject().put("name", longest)),
      () -> send("alice", "general", "hi"),
      () -> get("alice", "/api/rooms")));
    expect(testContext, steps, responses -> {
      assertThat(objects(responses.get(0).bodyAsJsonArray())).containsExactly(room("general", 0));
      for (int i = 1; i <= 3; i++) {
        assertStatus(responses.get(i), 201);
      }
      assertThat(responses.get(1).bodyAsJsonObject()).isEqualTo(room("random", 0));
      assertThat(objects(responses.get(5).bodyAsJsonArray())).containsExactlyInAnyOrder(
        room("general", 1), room("random", 0), room("x", 0), room(longest, 0));
    });
  }

  @Test
  @DisplayName("Creating a room that exists is 409 room_exists")
  void duplicateRoom(VertxTestContext testContext) {
    expectEach(testContext, users("alice").compose(v -> postJson("alice", "/api/rooms", new JsonObject().put("name", "random"))), Map.of(
      "random", () -> postJson("alice", "/api/rooms", new JsonObject().put("name", "random")),
      "general", () -> postJson("alice", "/api/rooms", new JsonObject().put("name", "general"))),
      response -> assertError(response, 409, "room_exists"));
  }

  @Test
  @DisplayName("An invalid room name is 422 invalid_room")
  void invalidRoomNames(VertxTestContext testContext) {
    Map<String, Supplier<Future<HttpResponse<Buffer>>>> cases = new LinkedHashMap<>();
    for (String name : List.of("Bad Name", "-x", "_x", "a".repeat(33), "General", "", "dm:alice:bob", "caf\u00e9")) {
      cases.put("'" + name + "'", () -> postJson("alice", "/api/rooms", new JsonObject().put("name", name)));
    }
    cases.put("no name", () -> postJson("alice", "/api/rooms", new JsonObject()));
    cases.put("number", () -> postJson("alice", "/api/rooms", new JsonObject().put("name", 7)));
    expectEach(testContext, users("alice"), cases, response -> assertError(response, 422, "invalid_room"));
  }

  // ---- messages -------------------------------------------------------------------------------

  @Test
  @DisplayName("A message can be posted as JSON text, form text, form msg or multipart msg/text; the answer is the stored message")
  void postInEveryBodyShape(VertxTestContext testContext) {
    long start = System.currentTimeMillis();
    String uri = messagesUri("general", "");
    Future<List<HttpResponse<Buffer>>> posted = users("alice").compose(v -> sequence(
      () -> send("alice", "general", "one"),
      () -> postForm("alice", uri, false, "text", "two"),
      () -> postForm("alice", uri, false, "msg", "three"),
      () -> postForm("alice", uri, true, "msg", "four"),
      () -> postForm("alice", uri, true, "text", "five")));
    expect(testContext, posted.compose(v -> history("alice", "general", "")), stored -> {
      List<String> texts = List.of("one", "two", "three", "four", "five");
      for (int i = 0; i < texts.size(); i++) {
        HttpResponse<Buffer> response = posted.result().get(i);
        assertStatus(response, 201);
        JsonObject message = response.bodyAsJsonObject();
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
    String uri = messagesUri("general", "");
    Future<List<HttpResponse<Buffer>>> posted = users("alice", "mallory").compose(v -> sequence(
      () -> postJson("alice", uri, new JsonObject().put("text", "a").put("from", "mallory")),
      () -> postForm("alice", uri, false, "from", "mallory", "text", "b"),
      () -> postForm("alice", uri, true, "from", "mallory", "msg", "c")));
    expect(testContext, posted.compose(v -> history("mallory", "general", "")), stored -> {
      posted.result().forEach(response -> assertThat(response.bodyAsJsonObject().getString("from")).isEqualTo("alice"));
      assertThat(stored.stream().map(m -> ((JsonObject) m).getString("from"))).containsExactly("alice", "alice", "alice");
    });
  }

  @Test
  @DisplayName("Text is stored exactly as sent: markup, quotes, emoji and surrounding spaces included")
  void textRoundTripsExactly(VertxTestContext testContext) {
    String uri = messagesUri("general", "");
    Future<List<HttpResponse<Buffer>>> posted = users("alice").compose(v -> sequence(
      () -> send("alice", "general", TRICKY_TEXT),
      () -> postForm("alice", uri, false, "text", TRICKY_TEXT),
      () -> postForm("alice", uri, true, "msg", TRICKY_TEXT)));
    expect(testContext, posted.compose(v -> history("alice", "general", "")), stored -> {
      posted.result().forEach(response -> assertThat(response.bodyAsJsonObject().getString("text")).isEqualTo(TRICKY_TEXT));
      assertThat(stored.stream().map(m -> ((JsonObject) m).getString("text"))).containsExactly(TRICKY_TEXT, TRICKY_TEXT, TRICKY_TEXT);
    });
  }

  @Test
  @DisplayName("Empty, blank, missing or non-string text is 422 invalid_text")
  void invalidText(VertxTestContext testContext) {
    String uri = messagesUri("general", "");
    expectEach(testContext, users("alice"), Map.of(
      "empty", () -> send("alice", "general", ""),
      "spaces", () -> send("alice", "general", "   "),
      "white space", () -> send("alice", "general", " \n\t\u2003 "),
      "missing", () -> postJson("alice", uri, new JsonObject()),
      "number", () -> postJson("alice", uri, new JsonObject().put("text", 42)),
      "NUL", () -> send("alice", "general", "a\u0000b"),
      "form blank text", () -> postForm("alice", uri, false, "text", "  "),
      "form blank msg", () -> postForm("alice", uri, true, "msg", "")),
      response -> assertError(response, 422, "invalid_text"));
  }

  @Test
  @DisplayName("The text limit counts code points (ignoring surrounding space): 11 is 413, 10 emoji are fine")
  void textLimitInCodePoints(VertxTestContext testContext) {
    Vertx own = Vertx.vertx(); // another limit needs another node, and a node needs its own event bus
    Future<List<HttpResponse<Buffer>>> posted = TestNode.start(own, TestNode.config(TestDatabases.h2(), false, 10))
      .compose(small -> {
        node = small;
        return users("alice");
      })
      .compose(v -> sequence(
        () -> send("alice", "general", "12345678901"),
        () -> send("alice", "general", "😀".repeat(10)),
        () -> send("alice", "general", "😀".repeat(11)),
        () -> send("alice", "general", "  1234567890 \n")))
      .eventually(own::close);
    expect(testContext, posted, responses -> {
      assertError(responses.get(0), 413, "text_too_long");
      assertStatus(responses.get(1), 201);
      assertThat(responses.get(1).bodyAsJsonObject().getString("text")).isEqualTo("😀".repeat(10));
      assertError(responses.get(2), 413, "text_too_long");
      assertStatus(responses.get(3), 201);
    });
  }

  @Test
  @DisplayName("An unknown room is 404 unknown_room for history and for posting")
  void unknownRoom(VertxTestContext testContext) {
    expectEach(testContext, users("alice"), Map.of(
      "history", () -> get("alice", messagesUri("nosuchroom", "")),
      "post", () -> send("alice", "nosuchroom", "hi")),
      response -> assertError(response, 404, "unknown_room"));
  }

  // ---- history --------------------------------------------------------------------------------

  @Test
  @DisplayName("History pages: after gives the oldest after it, before the newest before it, always ascending")
  void historyPaging(VertxTestContext testContext) {
    Map<String, List<Long>> expected = new LinkedHashMap<>();
    expected.put("after=3&limit=2", List.of(4L, 5L));
    expected.put("before=5&limit=2", List.of(3L, 4L));
    expected.put("", seqs(1, 10));
    expected.put("limit=3", List.of(8L, 9L, 10L));
    expected.put("after=8", List.of(9L, 10L));
    expected.put("before=3", List.of(1L, 2L));
    expected.put("after=10", List.of());
    expected.put("before=1", List.of());
    expectHistory(testContext, 10, expected);
  }

  @Test
  @DisplayName("History gives the newest 50 by default and never more than 200 at once")
  void historyLimits(VertxTestContext testContext) {
    Map<String, List<Long>> expected = new LinkedHashMap<>();
    expected.put("", seqs(156, 205));
    expected.put("limit=500", seqs(6, 205));
    expected.put("after=0&limit=1000", seqs(1, 200));
    expected.put("after=200&limit=300", seqs(201, 205));
    expectHistory(testContext, 205, expected);
  }

  @Test
  @DisplayName("A malformed after, before or limit is 422 invalid_parameter")
  void malformedHistoryParameters(VertxTestContext testContext) {
    Map<String, Supplier<Future<HttpResponse<Buffer>>>> cases = new LinkedHashMap<>();
    for (String query : List.of("limit=abc", "after=-1", "before=x", "limit=-5", "after=1.5", "limit=", "after=99999999999999999999")) {
      cases.put(query, () -> get("alice", messagesUri("general", query)));
    }
    expectEach(testContext, users("alice"), cases, response -> assertError(response, 422, "invalid_parameter"));
  }

  // ---- direct messages ------------------------------------------------------------------------

  @Test
  @DisplayName("POST /api/dms answers the canonical dm id, from either side and in any case, every time")
  void openDm(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> opened = users("alice", "bob").compose(v -> sequence(
      () -> postJson("alice", "/api/dms", new JsonObject().put("with", "bob")),
      () -> postJson("alice", "/api/dms", new JsonObject().put("with", "bob")),
      () -> postJson("bob", "/api/dms", new JsonObject().put("with", "ALICE")),
      () -> postForm("alice", "/api/dms", false, "with", "Bob")));
    expect(testContext, opened, responses -> responses.forEach(response -> {
      assertStatus(response, 201);
      assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject().put("room", DM));
    }));
  }

  @Test
  @DisplayName("A dm with an unknown user is 404; with yourself or a non-name it is 422")
  void dmErrors(VertxTestContext testContext) {
    Checkpoint unknown = testContext.checkpoint();
    expectEach(testContext, users("alice"), Map.of(
      "yourself", () -> postJson("alice", "/api/dms", new JsonObject().put("with", "alice")),
      "yourself in capitals", () -> postJson("alice", "/api/dms", new JsonObject().put("with", "ALICE")),
      "not a name", () -> postJson("alice", "/api/dms", new JsonObject().put("with", "not a name!")),
      "missing", () -> postJson("alice", "/api/dms", new JsonObject())),
      response -> assertError(response, 422, "invalid_username"))
      .compose(v -> postJson("alice", "/api/dms", new JsonObject().put("with", "nobody")))
      .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
        assertError(response, 404, "unknown_user");
        unknown.flag();
      })));
  }

  @Test
  @DisplayName("A dm is private: alice's first message creates it, bob reads it, carol gets 403 and cannot write")
  void dmIsPrivate(VertxTestContext testContext) {
    Future<List<HttpResponse<Buffer>>> steps = users("alice", "bob", "carol").compose(v -> sequence(
      () -> send("alice", DM, "secret from alice"),
      () -> get("carol", messagesUri(DM, "")),
      () -> send("carol", DM, "carol was here"),
      () -> get("carol", "/api/rooms"),
      () -> get("bob", "/api/rooms"),
      () -> get("bob", messagesUri(DM, ""))));
    expect(testContext, steps, responses -> {
      assertStatus(responses.get(0), 201);
      assertThat(responses.get(0).bodyAsJsonObject().getString("room")).isEqualTo(DM);
      assertError(responses.get(1), 403, "not_a_participant");
      assertError(responses.get(2), 403, "not_a_participant");
      assertThat(objects(responses.get(3).bodyAsJsonArray())).containsExactly(room("general", 0));
      assertThat(objects(responses.get(4).bodyAsJsonArray())).contains(room(DM, 1));
      JsonArray bobReads = responses.get(5).bodyAsJsonArray();
      assertThat(bobReads).hasSize(1);
      assertThat(bobReads.getJsonObject(0).getString("from")).isEqualTo("alice");
      assertThat(bobReads.getJsonObject(0).getString("text")).isEqualTo("secret from alice");
    });
  }

  @Test
  @DisplayName("Other spellings of a dm id are refused (403 or 422), never a way into someone else's dm")
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
      assertThat(stored.stream().map(m -> ((JsonObject) m).getString("text"))).containsExactly("secret from alice");
      untouched.flag();
    })));
  }

  // ---- misc -----------------------------------------------------------------------------------

  @Test
  @DisplayName("An unknown /api path is a 404 with a JSON error body")
  void unknownApiPath(VertxTestContext testContext) {
    expectEach(testContext, users("alice"), Map.of(
      "GET /api/nosuch", () -> get("alice", "/api/nosuch"),
      "POST /api/nosuch", () -> postJson("alice", "/api/nosuch", new JsonObject()),
      "GET /api/rooms/general", () -> get("alice", "/api/rooms/general")),
      response -> {
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.bodyAsJsonObject().getString("error")).matches("[a-z_]+");
        assertThat(response.bodyAsJsonObject().getString("message")).isNotBlank();
      });
  }

  @Test
  @DisplayName("/health/live and /health/ready answer 200 without a token")
  void health(VertxTestContext testContext) {
    expectEach(testContext, Future.succeededFuture(), Map.of(
      "live", () -> get(null, "/health/live"), "ready", () -> get(null, "/health/ready")),
      response -> assertStatus(response, 200));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static <T> void expect(VertxTestContext testContext, Future<T> future, Check<T> check) {
    future.onComplete(testContext.succeeding(value -> testContext.verify(() -> {
      check.accept(value);
      testContext.completeNow();
    })));
  }

  /** After setup, sends every request at once; one checkpoint each. The Future completes when all answered. */
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
    Future<Void> posted = users("alice").compose(v -> Future.all(IntStream.rangeClosed(1, count)
      .mapToObj(i -> send("alice", "general", "message " + i).map(r -> assertStatus(r, 201))).toList())).mapEmpty();
    Future<Map<String, List<Long>>> pages = posted.compose(v -> {
      Map<String, Future<JsonArray>> answers = new LinkedHashMap<>();
      expected.keySet().forEach(query -> answers.put(query, history("alice", "general", query)));
      return Future.all(new ArrayList<>(answers.values())).map(all -> {
        Map<String, List<Long>> seqs = new LinkedHashMap<>();
        answers.forEach((query, page) -> seqs.put(query, page.result().stream().map(m -> ((JsonObject) m).getLong("seq")).toList()));
        return seqs;
      });
    });
    expect(testContext, pages, actual -> assertThat(actual).containsExactlyEntriesOf(expected));
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

  /** Registers and logs in each user; their tokens are then used by the request helpers. */
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

  private Future<HttpResponse<Buffer>> postJson(String user, String uri, JsonObject body) {
    return request(HttpMethod.POST, user, uri).sendJsonObject(body);
  }

  private Future<HttpResponse<Buffer>> postRaw(String user, String uri, String json) {
    return request(HttpMethod.POST, user, uri).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(json));
  }

  private Future<HttpResponse<Buffer>> postForm(String user, String uri, boolean multipart, String... pairs) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    MultipartForm parts = MultipartForm.create();
    for (int i = 0; i < pairs.length; i += 2) {
      form.add(pairs[i], pairs[i + 1]);
      parts.attribute(pairs[i], pairs[i + 1]);
    }
    HttpRequest<Buffer> request = request(HttpMethod.POST, user, uri);
    return multipart ? request.sendMultipartForm(parts) : request.sendForm(form);
  }

  private Future<HttpResponse<Buffer>> send(String user, String room, String text) {
    return postJson(user, messagesUri(room, ""), new JsonObject().put("text", text));
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

  private static JsonObject user(String name) {
    return new JsonObject().put("username", name).put("online", false);
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  private static List<Long> seqs(long first, long last) {
    return LongStream.rangeClosed(first, last).boxed().toList();
  }

  /** The chat_token Set-Cookie header split into its parts: "name=value" first, then attributes in lower case. */
  private static List<String> cookieAttributes(HttpResponse<Buffer> response) {
    String header = response.cookies().stream().filter(c -> c.startsWith("chat_token=")).findFirst()
      .orElseThrow(() -> new AssertionError("no chat_token cookie in " + response.cookies()));
    List<String> parts = new ArrayList<>();
    String[] split = header.split(";");
    parts.add(split[0].trim());
    Arrays.stream(split).skip(1).map(s -> s.trim().toLowerCase(Locale.ROOT)).forEach(parts::add);
    return parts;
  }

  private static HttpResponse<Buffer> assertStatus(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as("status; body %s", response.bodyAsString()).isEqualTo(status);
    return response;
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String error) {
    assertStatus(response, status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("message")).isNotBlank();
  }
}
