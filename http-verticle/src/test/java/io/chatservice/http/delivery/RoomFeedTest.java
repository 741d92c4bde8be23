package io.chatservice.http.delivery;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.ops.ChatMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A room feed against a stand-in for the chat domain: publications arrive out
 * of order, duplicated or never, and subscribers still see one gapless order.
 */
@ExtendWith(VertxExtension.class)
class RoomFeedTest {

  private static final String ROOM = "general";
  private static final String ADDRESS = ChatAddresses.room(ROOM);

  /** What the stand-in database holds. */
  private final List<JsonObject> stored = new CopyOnWriteArrayList<>();
  private Feeds feeds;

  @BeforeEach
  void standInDomain(Vertx vertx, VertxTestContext testContext) {
    feeds = new Feeds(vertx, new DomainClient(vertx.eventBus()), new ChatMeters(new SimpleMeterRegistry()));
    vertx.eventBus().<JsonObject>localConsumer(ChatAddresses.ROOM_LOG, request -> {
      long after = request.body().getLong("after");
      int limit = request.body().getInteger("limit");
      JsonArray page = new JsonArray();
      stored.stream().filter(m -> m.getLong("seq") > after).limit(limit).forEach(page::add);
      request.reply(new JsonObject().put("lastSeq", (long) stored.size()).put("messages", page));
    }).completion().onComplete(testContext.succeedingThenComplete());
  }

  @Test
  @DisplayName("Messages published out of order, twice, or never are released once each, in seq order")
  void restoresOrderAndFillsGaps(Vertx vertx, VertxTestContext testContext) {
    List<Long> seen = new CopyOnWriteArrayList<>();
    feeds.room(ROOM, null, delivery -> seen.add(delivery.seq()))
      .compose(subscription -> {
        store(1, 2, 3, 4, 5);
        publish(vertx, 2);
        publish(vertx, 1);
        publish(vertx, 3);
        publish(vertx, 2);
        publish(vertx, 5); // 4 is never published: only the database has it
        return waitUntil(vertx, () -> seen.size() >= 5, 3000);
      })
      .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("A subscriber that joins with the last seq it saw gets the stored rest, then live ones, with no seam")
  void replayThenLive(Vertx vertx, VertxTestContext testContext) {
    List<Long> early = new CopyOnWriteArrayList<>();
    List<Long> resumed = new CopyOnWriteArrayList<>();
    store(1, 2, 3);
    feeds.room(ROOM, null, delivery -> early.add(delivery.seq()))
      .compose(first -> feeds.room(ROOM, 1L, delivery -> resumed.add(delivery.seq())))
      .compose(second -> {
        store(4);
        publish(vertx, 4);
        return waitUntil(vertx, () -> resumed.size() >= 3 && early.size() >= 1, 3000);
      })
      .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
        assertThat(resumed).containsExactly(2L, 3L, 4L);
        assertThat(early).as("a subscriber without 'after' starts with what comes next").containsExactly(4L);
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("The last subscriber leaving closes the room's one consumer")
  void feedClosesWithLastSubscriber(Vertx vertx, VertxTestContext testContext) {
    List<RoomSubscription> subscriptions = new ArrayList<>();
    Future.all(feeds.room(ROOM, null, d -> { }), feeds.room(ROOM, null, d -> { }))
      .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
        subscriptions.add(both.resultAt(0));
        subscriptions.add(both.resultAt(1));
        assertThat(feeds.openFeeds()).isEqualTo(1);
        feeds.leave(subscriptions.get(0));
        assertThat(feeds.openFeeds()).isEqualTo(1);
        feeds.leave(subscriptions.get(1));
        assertThat(feeds.openFeeds()).isZero();
        testContext.completeNow();
      })));
  }

  private void store(long... seqs) {
    for (long seq : seqs) {
      stored.add(message(seq));
    }
  }

  private static void publish(Vertx vertx, long seq) {
    vertx.eventBus().publish(ADDRESS, message(seq));
  }

  private static JsonObject message(long seq) {
    return new JsonObject().put("id", 100 + seq).put("room", ROOM).put("seq", seq).put("from", "alice")
      .put("text", "m" + seq).put("ts", 1000 + seq);
  }

  private static Future<Void> waitUntil(Vertx vertx, java.util.function.BooleanSupplier done, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return vertx.timer(20).compose(t -> done.getAsBoolean() || System.currentTimeMillis() > deadline
      ? Future.succeededFuture() : waitUntil(vertx, done, deadline - System.currentTimeMillis()));
  }
}
