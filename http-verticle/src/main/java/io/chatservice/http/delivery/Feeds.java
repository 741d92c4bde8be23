package io.chatservice.http.delivery;

import io.chatservice.http.api.DomainClient;
import io.chatservice.http.ops.ChatMeters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * This node's feeds: at most one event-bus consumer per room, per user
 * address and for presence, shared by every local connection of every
 * transport. Feeds open with their first subscriber and close with their
 * last, so the cluster holds one registration per (node, address) in use.
 * Confined to the edge verticle's event loop.
 */
public final class Feeds {

  private final Vertx vertx;
  private final DomainClient domain;
  private final ChatMeters meters;
  private final Map<String, RoomFeed> rooms = new HashMap<>();
  private final Map<String, DirectFeed> direct = new HashMap<>();

  public Feeds(Vertx vertx, DomainClient domain, ChatMeters meters) {
    this.vertx = vertx;
    this.domain = domain;
    this.meters = meters;
  }

  /**
   * Subscribes to a room the caller has already been allowed to read. With
   * {@code after}, stored messages after that seq come first.
   */
  public Future<RoomSubscription> room(String room, Long after, Subscriber subscriber) {
    return room(room, after, subscriber, lastSeq -> { });
  }

  /** As above; {@code caughtUp} gets the last seq sent once the replay is done, before the first live message. */
  public Future<RoomSubscription> room(String room, Long after, Subscriber subscriber, LongConsumer caughtUp) {
    RoomFeed feed = rooms.get(room);
    if (feed == null) {
      RoomFeed opened = new RoomFeed(vertx, domain, meters, room);
      rooms.put(room, opened);
      opened.open().onFailure(e -> rooms.remove(room, opened));
      feed = opened;
    }
    // Attached at once, so the feed cannot close under a subscriber still waiting for it.
    RoomSubscription subscription = new RoomSubscription(feed, subscriber);
    feed.add(subscription);
    return feed.ready()
      .compose(v -> subscription.start(after, caughtUp))
      .map(subscription)
      .onFailure(e -> leave(subscription));
  }

  public void leave(RoomSubscription subscription) {
    subscription.close();
    RoomFeed feed = subscription.feed();
    if (feed.remove(subscription)) {
      rooms.remove(feed.room(), feed);
    }
  }

  /** Subscribes to an unsequenced address: chat.presence or chat.user.&lt;name&gt;. */
  public Future<Void> direct(String address, Subscriber subscriber) {
    DirectFeed feed = direct.computeIfAbsent(address, DirectFeed::new);
    feed.subscribers.add(subscriber);
    return feed.consumer.completion();
  }

  public void leave(String address, Subscriber subscriber) {
    DirectFeed feed = direct.get(address);
    if (feed != null && feed.subscribers.remove(subscriber) && feed.subscribers.isEmpty()) {
      feed.consumer.unregister();
      direct.remove(address);
    }
  }

  /** How many feeds this node holds open: what the cluster sees as this node's registrations. */
  public int openFeeds() {
    return rooms.size() + direct.size();
  }

  private final class DirectFeed {
    /** Copy-on-write, as in {@link RoomFeed}: a subscriber may leave while an event is handed out. */
    final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    final MessageConsumer<JsonObject> consumer;

    DirectFeed(String address) {
      consumer = vertx.eventBus().consumer(address, msg -> {
        Delivery delivery = new Delivery(address, msg.body(), Delivery.NO_SEQ);
        for (Subscriber subscriber : subscribers) {
          subscriber.deliver(delivery);
          meters.delivered();
        }
      });
    }
  }
}
