package io.chatservice.http.delivery;

import io.vertx.core.Future;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * One client's view of a room: optionally stored messages after the seq it
 * last saw, then the live ones, with no gap and no duplicate at the seam.
 * While it catches up from the database, live messages wait here.
 */
public final class RoomSubscription {

  private final RoomFeed feed;
  private final Subscriber subscriber;
  /** Live messages that came while catching up; made on the first, as most subscribers never need it. */
  private ArrayDeque<Delivery> waiting;
  private long lastSent;
  /** Until started, and while replaying, live messages wait. */
  private boolean catchingUp = true;
  private boolean closed;

  RoomSubscription(RoomFeed feed, Subscriber subscriber) {
    this.feed = feed;
    this.subscriber = subscriber;
  }

  RoomFeed feed() {
    return feed;
  }

  public String room() {
    return feed.room();
  }

  /** The last seq this subscriber has been given. */
  public long lastSent() {
    return lastSent;
  }

  /**
   * Called once the feed is ready. Without {@code after}, starts with the
   * first live message after subscribing; with it, first replays what is
   * stored after that seq. Completes once caught up.
   */
  Future<Void> start(Long after, LongConsumer caughtUp) {
    long liveFrom = waiting == null ? feed.released() : waiting.peek().seq() - 1;
    lastSent = after == null ? liveFrom : after;
    if (lastSent >= liveFrom) {
      goLive(caughtUp);
      return Future.succeededFuture();
    }
    return catchUp(liveFrom, caughtUp);
  }

  /** Tells the subscriber it has caught up before any live message, then releases those that waited. */
  private void goLive(LongConsumer caughtUp) {
    caughtUp.accept(lastSent);
    catchingUp = false;
    flushWaiting();
  }

  /** Replays stored pages until everything released before this subscriber attached ({@code liveFrom}) is sent. */
  private Future<Void> catchUp(long liveFrom, LongConsumer caughtUp) {
    return feed.read(lastSent, liveFrom).compose(page -> {
      if (closed) {
        return Future.succeededFuture();
      }
      send(page);
      if (page.size() == RoomFeed.PAGE) {
        return catchUp(liveFrom, caughtUp);
      }
      goLive(caughtUp);
      return Future.succeededFuture();
    });
  }

  private void send(List<Delivery> page) {
    for (Delivery delivery : page) {
      if (delivery.seq() > lastSent) {
        lastSent = delivery.seq();
        subscriber.deliver(delivery);
        feed.meters().delivered();
      }
    }
  }

  private void flushWaiting() {
    ArrayDeque<Delivery> waited = waiting;
    waiting = null;
    if (waited != null) {
      waited.forEach(this::live);
    }
  }

  void live(Delivery delivery) {
    if (closed) {
      return;
    }
    if (catchingUp) {
      if (waiting == null) {
        waiting = new ArrayDeque<>();
      }
      waiting.add(delivery);
    } else if (delivery.seq() > lastSent) {
      lastSent = delivery.seq();
      subscriber.deliver(delivery);
      feed.meters().delivered();
    }
  }

  void close() {
    closed = true;
    waiting = null;
  }
}
