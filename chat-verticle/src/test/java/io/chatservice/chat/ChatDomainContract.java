package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.TextRules;
import io.chatservice.chat.persistence.Database;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.presence.LocalPresence;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat domain over the event bus, against a real database. Subclasses
 * pick the database, so H2 and PostgreSQL pass the same tests.
 */
@ExtendWith(VertxExtension.class)
abstract class ChatDomainContract {

  private static final ChatConfig CONFIG = new ChatConfig(new TextRules(TextRules.DEFAULT_MAX), 4);

  private DatabaseConfig database;

  protected abstract DatabaseConfig freshDatabase();

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext testContext) {
    database = freshDatabase();
    deployDomain(vertx)
      .compose(v -> register(vertx, "alice"))
      .compose(v -> register(vertx, "Bob"))
      .compose(v -> register(vertx, "carol"))
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Pool> deployDomain(Vertx vertx) {
    return Database.open(vertx, database).compose(pool -> vertx.deployVerticle(new AccountVerticle(pool, CONFIG))
      .compose(id -> vertx.deployVerticle(new ChatVerticle(pool, database, CONFIG)))
      .compose(id -> vertx.deployVerticle(new PresenceVerticle(new LocalPresence())))
      .map(id -> pool));
  }

  @Test
  @DisplayName("8 concurrent senders x 100 messages get seq 1..800 exactly once, published in seq order")
  void concurrentSendsAreGapless(Vertx vertx, VertxTestContext testContext) {
    List<Long> published = Collections.synchronizedList(new ArrayList<>());
    vertx.eventBus().<JsonObject>consumer(ChatAddresses.room("general"), msg -> published.add(msg.body().getLong("seq")))
      .completion()
      .compose(v -> Future.all(IntStream.range(0, 8)
        .mapToObj(sender -> sendSequentially(vertx, sender % 2 == 0 ? "alice" : "Bob", "general", 100))
        .toList()))
      .compose(v -> allHistory(vertx, "alice", "general"))
      .onComplete(testContext.succeeding(history -> testContext.verify(() -> {
        List<Long> expected = LongStream.rangeClosed(1, 800).boxed().toList();
        assertThat(history.stream().map(m -> ((JsonObject) m).getLong("seq")).toList()).isEqualTo(expected);
        assertThat(published).as("publications in seq order, none missing").isEqualTo(expected);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("A sender that does not wait for acks gets its seqs in the order it sent, while others send too")
  void pipelinedSendsKeepTheirOrder(Vertx vertx, VertxTestContext testContext) {
    List<Long> published = Collections.synchronizedList(new ArrayList<>());
    int burst = 400;
    vertx.eventBus().<JsonObject>consumer(ChatAddresses.room("general"), msg -> published.add(msg.body().getLong("seq")))
      .completion()
      // One acknowledged send first, so the room is known and no send waits for a lookup.
      .compose(v -> send(vertx, "alice", "general", "first"))
      .compose(v -> Future.all(
        Future.all(IntStream.range(0, burst).mapToObj(n -> send(vertx, "alice", "general", "burst " + n)).toList()),
        Future.all(IntStream.range(0, 4).mapToObj(i -> sendSequentially(vertx, "Bob", "general", 50)).toList())))
      .compose(v -> allHistory(vertx, "carol", "general"))
      .onComplete(testContext.succeeding(history -> testContext.verify(() -> {
        int total = 1 + burst + 4 * 50;
        List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
        assertThat(seqs(history)).isEqualTo(expected);
        List<String> aliceBurst = history.stream().map(m -> (JsonObject) m)
          .filter(m -> m.getString("text").startsWith("burst ")).map(m -> m.getString("text")).toList();
        assertThat(aliceBurst).as("alice's messages in seq order are in the order she sent them")
          .isEqualTo(IntStream.range(0, burst).mapToObj(n -> "burst " + n).toList());
        assertThat(published).as("publications in seq order, none missing").isEqualTo(expected);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Two nodes sharing the database still assign every seq exactly once")
  void twoNodesShareOneSequence(Vertx vertx, VertxTestContext testContext) {
    Vertx otherNode = Vertx.vertx();
    deployDomain(otherNode)
      .compose(pool -> Future.all(
        Future.all(IntStream.range(0, 4).mapToObj(i -> sendSequentially(vertx, "alice", "general", 50)).toList()),
        Future.all(IntStream.range(0, 4).mapToObj(i -> sendSequentially(otherNode, "Bob", "general", 50)).toList())))
      .compose(v -> allHistory(vertx, "carol", "general"))
      // Not chained: the other instance's close completes on its own, already stopped, event loop.
      .onComplete(done -> otherNode.close())
      .onComplete(testContext.succeeding(history -> testContext.verify(() -> {
        assertThat(history.stream().map(m -> ((JsonObject) m).getLong("seq")).toList())
          .isEqualTo(LongStream.rangeClosed(1, 400).boxed().toList());
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Writes after a transaction are committed: another connection sees them at once")
  void writesAreCommitted(Vertx vertx, VertxTestContext testContext) {
    // Sends run in transactions; every pooled connection has seen one before the room is created.
    Future.all(IntStream.range(0, 16).mapToObj(i -> send(vertx, "alice", "general", "warm-up " + i)).toList())
      .compose(v -> vertx.eventBus().request(ChatAddresses.ROOMS_CREATE, new JsonObject().put("user", "alice").put("name", "fresh")))
      .compose(v -> register(vertx, "erin"))
      .compose(v -> vertx.executeBlocking(() -> {
        try (var connection = java.sql.DriverManager.getConnection(database.url(), database.user(), database.password());
             var statement = connection.createStatement()) {
          var rooms = statement.executeQuery("SELECT COUNT(*) FROM rooms WHERE name = 'fresh'");
          rooms.next();
          var users = connection.createStatement().executeQuery("SELECT COUNT(*) FROM users WHERE username_key = 'erin'");
          users.next();
          return List.of(rooms.getInt(1), users.getInt(1));
        }
      }))
      .onComplete(testContext.succeeding(counts -> testContext.verify(() -> {
        assertThat(counts).containsExactly(1, 1);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("History: after gives the oldest after a seq, before the newest before it, both ascending")
  void historyWindows(Vertx vertx, VertxTestContext testContext) {
    sendSequentially(vertx, "alice", "general", 10)
      .compose(v -> Future.all(
        history(vertx, "Bob", "general", 3L, null, 2),
        history(vertx, "Bob", "general", null, 5L, 2),
        history(vertx, "Bob", "general", null, null, 3)))
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertThat(seqs(all.resultAt(0))).containsExactly(4L, 5L);
        assertThat(seqs(all.resultAt(1))).containsExactly(3L, 4L);
        assertThat(seqs(all.resultAt(2))).containsExactly(8L, 9L, 10L);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Texts are stored exactly as sent, whatever characters they hold, also when sent together in one batch")
  void textsRoundTrip(Vertx vertx, VertxTestContext testContext) {
    List<String> texts = List.of("{\"a\": [1, 2]}", "back\\slash \\\" and quote \"", "comma, {brace} NULL null",
      "line\nbreak\ttab", "emoji \uD83D\uDE00 \u00e9\u00e8 \u4e2d\u6587", "  padded  ", "'single' \"double\"", "<img src=x onerror=alert(1)>");
    Future.all(texts.stream().map(text -> send(vertx, "alice", "general", text)).toList())
      .compose(sent -> allHistory(vertx, "Bob", "general"))
      .onComplete(testContext.succeeding(history -> testContext.verify(() -> {
        assertThat(history.stream().map(m -> ((JsonObject) m).getString("text")).toList()).containsExactlyInAnyOrderElementsOf(texts);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("A dm is created by its first message, told to the other user, and closed to everyone else")
  void dmRules(Vertx vertx, VertxTestContext testContext) {
    List<JsonObject> bobEvents = Collections.synchronizedList(new ArrayList<>());
    vertx.eventBus().<JsonObject>consumer(ChatAddresses.user("Bob"), msg -> bobEvents.add(msg.body())).completion()
      .compose(v -> send(vertx, "alice", "dm:alice:bob", "psst"))
      .compose(v -> send(vertx, "alice", "dm:alice:bob", "second"))
      .compose(v -> Future.all(
        history(vertx, "Bob", "dm:alice:bob", null, null, 10),
        failureOf(send(vertx, "carol", "dm:alice:bob", "let me in")),
        failureOf(history(vertx, "carol", "dm:alice:bob", null, null, 10)),
        failureOf(send(vertx, "carol", "dm:bob:alice", "other spelling")),
        failureOf(send(vertx, "alice", "dm:alice:nobody", "to nobody"))))
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        JsonArray bobReads = all.resultAt(0);
        assertThat(bobReads.stream().map(m -> ((JsonObject) m).getString("text")).toList()).containsExactly("psst", "second");
        assertThat((Integer) all.resultAt(1)).isEqualTo(ChatError.NOT_A_PARTICIPANT.status);
        assertThat((Integer) all.resultAt(2)).isEqualTo(ChatError.NOT_A_PARTICIPANT.status);
        assertThat((Integer) all.resultAt(3)).isEqualTo(ChatError.INVALID_ROOM.status);
        assertThat((Integer) all.resultAt(4)).isEqualTo(ChatError.UNKNOWN_USER.status);
        assertThat(bobEvents).as("told once, when the dm was created")
          .containsExactly(new JsonObject().put("type", "dm").put("room", "dm:alice:bob").put("with", "alice"));
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Registration is case-insensitively unique and login returns the registered spelling")
  void accounts(Vertx vertx, VertxTestContext testContext) {
    JsonObject duplicate = new JsonObject().put("username", "ALICE").put("password", "password1");
    JsonObject login = new JsonObject().put("username", "BOB").put("password", "password-Bob");
    JsonObject wrong = new JsonObject().put("username", "bob").put("password", "wrong-password");
    Future.all(
        failureOf(vertx.eventBus().request(ChatAddresses.USERS_REGISTER, duplicate)),
        vertx.eventBus().<JsonObject>request(ChatAddresses.USERS_LOGIN, login).map(Message::body),
        failureOf(vertx.eventBus().request(ChatAddresses.USERS_LOGIN, wrong)))
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertThat((Integer) all.resultAt(0)).isEqualTo(409);
        assertThat(((JsonObject) all.resultAt(1)).getString("username")).isEqualTo("Bob");
        assertThat((Integer) all.resultAt(2)).isEqualTo(401);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Bad sends are refused with their contract code and store nothing")
  void badSends(Vertx vertx, VertxTestContext testContext) {
    Future.all(
        failureOf(vertx.eventBus().request(ChatAddresses.SEND, "not json", from("alice"))),
        failureOf(send(vertx, "alice", "general", "   ")),
        failureOf(send(vertx, "alice", "general", "x".repeat(4001))),
        failureOf(send(vertx, "alice", "no-such-room", "hi")),
        failureOf(send(vertx, "alice", "Bad Room", "hi")),
        failureOf(vertx.eventBus().request(ChatAddresses.SEND, new JsonObject().put("room", "general").put("text", "anonymous"))))
      .compose(codes -> allHistory(vertx, "alice", "general").map(history -> {
        assertThat(history).as("nothing stored").isEmpty();
        return codes;
      }))
      .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
        assertThat(List.of(all.resultAt(0), all.resultAt(1), all.resultAt(2), all.resultAt(3), all.resultAt(4), all.resultAt(5)))
          .containsExactly(400, 422, 413, 404, 422, 401);
        testContext.completeNow();
      })));
  }

  private static Future<Void> register(Vertx vertx, String username) {
    return vertx.eventBus().request(ChatAddresses.USERS_REGISTER,
      new JsonObject().put("username", username).put("password", "password-" + username)).mapEmpty();
  }

  private static DeliveryOptions from(String user) {
    return new DeliveryOptions().addHeader(ChatAddresses.FROM_HEADER, user).setSendTimeout(TimeUnit.SECONDS.toMillis(30));
  }

  static Future<JsonObject> send(Vertx vertx, String user, String room, String text) {
    return vertx.eventBus().<JsonObject>request(ChatAddresses.SEND,
      new JsonObject().put("room", room).put("text", text), from(user)).map(Message::body);
  }

  private static Future<Void> sendSequentially(Vertx vertx, String user, String room, int count) {
    Future<JsonObject> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      int n = i;
      chain = chain.compose(v -> send(vertx, user, room, user + " #" + n));
    }
    return chain.mapEmpty();
  }

  private static Future<JsonArray> history(Vertx vertx, String user, String room, Long after, Long before, int limit) {
    JsonObject query = new JsonObject().put("user", user).put("room", room).put("after", after).put("before", before).put("limit", limit);
    return vertx.eventBus().<JsonArray>request(ChatAddresses.HISTORY, query).map(Message::body);
  }

  /** Every message of a room, paging forward 200 at a time. */
  private static Future<JsonArray> allHistory(Vertx vertx, String user, String room) {
    return page(vertx, user, room, 0, new JsonArray());
  }

  private static Future<JsonArray> page(Vertx vertx, String user, String room, long after, JsonArray collected) {
    return history(vertx, user, room, after, null, 200).compose(batch -> {
      collected.addAll(batch);
      return batch.isEmpty() ? Future.succeededFuture(collected)
        : page(vertx, user, room, batch.getJsonObject(batch.size() - 1).getLong("seq"), collected);
    });
  }

  private static List<Long> seqs(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("seq")).toList();
  }

  /** The failure code a request ended with; a success fails the test. */
  private static Future<Integer> failureOf(Future<?> request) {
    return request.transform(done -> done.succeeded()
      ? Future.failedFuture(new AssertionError("expected a failure, got " + done.result()))
      : Future.succeededFuture(((ReplyException) done.cause()).failureCode()));
  }
}
