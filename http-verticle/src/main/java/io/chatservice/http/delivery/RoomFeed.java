package io.chatservice.http.delivery;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.ops.ChatMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A room as this node relays it: one event-bus consumer however many local
 * sockets listen, and one order for all of them. Publications from different
 * nodes can overtake each other on the way here, so messages are released
 * strictly by seq; a gap that does not close by itself is read from the
 * database, which is the source of truth.
 */
final class RoomFeed {

  private static final Logger LOG = LoggerFactory.getLogger(RoomFeed.class);
  static final long GAP_WAIT_MS = 150;
  static final int PAGE = 200;

  private final Vertx vertx;
  private final DomainClient domain;
  private final ChatMeters meters;
  private final String room;
  private final String address;
  // Copy-on-write: a subscriber that closes while a message is being handed out (a slow consumer cut off)
  // must not make the loop skip the next one. Joins and leaves are rare next to messages.
  private final List<RoomSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private final TreeMap<Long, JsonObject> early = new TreeMap<>();
  /** Catch-up reads under way, by the seq they read after. */
  private final Map<Long, PageRead> reads = new HashMap<>();
  private MessageConsumer<JsonObject> consumer;
  private Future<Void> ready;
  /** The last seq released to subscribers; -1 until the starting point is read. */
  private long released = -1;
  private long gapTimer = -1;
  private boolean fillingGap;

  RoomFeed(Vertx vertx, DomainClient domain, ChatMeters meters, String room) {
    this.vertx = vertx;
    this.domain = domain;
    this.meters = meters;
    this.room = room;
    this.address = ChatAddresses.room(room);
  }

  /** Listens first, then reads where the room stands, so nothing published in between is missed. */
  Future<Void> open() {
    consumer = vertx.eventBus().consumer(address, msg -> onPublished(msg.body()));
    ready = consumer.completion()
      .compose(v -> domain.object(ChatAddresses.ROOM_LOG, new JsonObject().put("room", room).put("after", 0L).put("limit", 0)))
      .map(state -> {
        released = state.getLong("lastSeq");
        early.headMap(released, true).clear();
        release();
        return null;
      });
    return ready;
  }

  Future<Void> ready() {
    return ready;
  }

  long released() {
    return released;
  }

  void add(RoomSubscription subscription) {
    subscriptions.add(subscription);
  }

  /** True when the feed has no subscriber left and was closed. */
  boolean remove(RoomSubscription subscription) {
    subscriptions.remove(subscription);
    if (subscriptions.isEmpty()) {
      consumer.unregister();
      vertx.cancelTimer(gapTimer);
      return true;
    }
    return false;
  }

  private void onPublished(JsonObject message) {
    long seq = message.getLong("seq");
    if (released >= 0 && seq <= released) {
      return; // already released: a duplicate, or read from the database while filling a gap
    }
    early.put(seq, message);
    if (released >= 0) {
      release();
    }
  }

  /** Releases every message that follows on without a gap; waits briefly for a missing one. */
  private void release() {
    while (!early.isEmpty() && early.firstKey() == released + 1) {
      JsonObject message = early.pollFirstEntry().getValue();
      released++;
      meters.released(message.getLong("ts"));
      Delivery delivery = new Delivery(address, message, released);
      for (RoomSubscription subscription : subscriptions) {
        subscription.live(delivery);
      }
    }
    if (!early.isEmpty() && gapTimer < 0 && !fillingGap) {
      gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> {
        gapTimer = -1;
        fillGap();
      });
    }
  }

  private void fillGap() {
    if (early.isEmpty() || early.firstKey() == released + 1) {
      release();
      return;
    }
    fillingGap = true;
    int missing = (int) Math.min(PAGE, early.firstKey() - released - 1);
    LOG.debug("{}: filling gap after seq {} ({} missing)", room, released, missing);
    domain.object(ChatAddresses.ROOM_LOG, new JsonObject().put("room", room).put("after", released).put("limit", missing))
      .onComplete(done -> {
        fillingGap = false;
        if (done.succeeded()) {
          JsonArray found = done.result().getJsonArray("messages");
          found.forEach(m -> onPublished((JsonObject) m));
        } else {
          LOG.warn("{}: could not read missing messages after seq {}: {}", room, released, done.cause().toString());
        }
        release();
      });
  }

  /**
   * Reads a page of stored messages after a seq for a subscriber catching up,
   * one that holds at least every message up to {@code upTo} (the last one
   * released before the subscriber attached). Subscribers asking the same
   * question share one read: after a node dies its clients all resume here
   * from about the same seq, thousands at once.
   */
  Future<List<Delivery>> read(long after, long upTo) {
    PageRead shared = reads.get(after);
    if (shared != null && shared.releasedWhenAsked >= upTo) {
      return shared.page;
    }
    // Everything released is stored, so a read asked now sees at least up to `released`.
    PageRead read = new PageRead(released, domain.object(ChatAddresses.ROOM_LOG,
        new JsonObject().put("room", room).put("after", after).put("limit", PAGE))
      .map(page -> page.getJsonArray("messages").stream()
        .map(item -> (JsonObject) item)
        .map(message -> new Delivery(address, message, message.getLong("seq")))
        .toList()));
    reads.put(after, read);
    read.page.onComplete(done -> reads.remove(after, read));
    return read.page;
  }

  /** The page as deliveries, so each message is encoded once however many subscribers replay it. */
  private record PageRead(long releasedWhenAsked, Future<List<Delivery>> page) {
  }

  String room() {
    return room;
  }

  ChatMeters meters() {
    return meters;
  }
}
