package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatMessage;
import io.chatservice.chat.persistence.MessageRepository;
import io.chatservice.chat.persistence.MessageRepository.Draft;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends each room's messages in batches and publishes them in seq order once
 * they are in the database; batching is group commit under load. A batch
 * starts only once the one before it has taken its seqs, so a sender's
 * messages keep the order it sent them in, and at most two batches per room
 * are unfinished at a time: the next one's statement overlaps this one's
 * commit.
 */
final class MessageSequencer {

  private static final Logger LOG = LoggerFactory.getLogger(MessageSequencer.class);
  private static final int MAX_BATCH = 256;
  private static final int MAX_UNFINISHED_BATCHES = 2;

  private record Pending(String from, String text, Promise<ChatMessage> stored) {
  }

  private static final class RoomQueue {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** A batch has been started and has not taken its seqs yet. */
    boolean takingSeqs;
    /** Batches started whose outcome is not yet published or refused. */
    int unfinished;
    /** Completes once every batch started so far is published or refused, in order. */
    Future<Void> settled = Future.succeededFuture();
  }

  private final MessageRepository messages;
  private final EventBus bus;
  private final Map<Long, RoomQueue> queues = new HashMap<>();

  MessageSequencer(MessageRepository messages, EventBus bus) {
    this.messages = messages;
    this.bus = bus;
  }

  Future<ChatMessage> append(long roomId, String room, String from, String text) {
    RoomQueue queue = queues.computeIfAbsent(roomId, id -> new RoomQueue());
    Promise<ChatMessage> stored = Promise.promise();
    queue.waiting.add(new Pending(from, text, stored));
    startNext(roomId, room, queue);
    return stored.future();
  }

  private void startNext(long roomId, String room, RoomQueue queue) {
    if (queue.takingSeqs || queue.unfinished >= MAX_UNFINISHED_BATCHES) {
      return;
    }
    if (queue.waiting.isEmpty()) {
      if (queue.unfinished == 0) {
        queues.remove(roomId);
      }
      return;
    }
    List<Pending> batch = new ArrayList<>(Math.min(queue.waiting.size(), MAX_BATCH));
    List<Draft> drafts = new ArrayList<>(batch.size());
    long ts = System.currentTimeMillis();
    while (!queue.waiting.isEmpty() && batch.size() < MAX_BATCH) {
      Pending pending = queue.waiting.poll();
      batch.add(pending);
      drafts.add(new Draft(pending.from(), pending.text(), ts));
    }
    queue.takingSeqs = true;
    queue.unfinished++;
    MessageRepository.Appending appending = messages.append(roomId, room, drafts);
    appending.seqsTaken().onComplete(v -> {
      queue.takingSeqs = false;
      startNext(roomId, room, queue);
    });
    // Chained, so a batch is published after the one before it even if its commit is reported first.
    queue.settled = queue.settled
      .transform(previous -> appending.stored().transform(done -> settle(room, batch, done)))
      .onComplete(v -> {
        queue.unfinished--;
        startNext(roomId, room, queue);
      });
  }

  private Future<Void> settle(String room, List<Pending> batch, AsyncResult<List<ChatMessage>> done) {
    if (done.succeeded()) {
      List<ChatMessage> stored = done.result();
      for (int i = 0; i < stored.size(); i++) {
        bus.publish(ChatAddresses.room(room), stored.get(i).toJson());
        batch.get(i).stored().complete(stored.get(i));
      }
    } else {
      LOG.warn("Could not store {} message(s) for {}: {}", batch.size(), room, done.cause().toString());
      var unavailable = ChatError.UNAVAILABLE.exception("The message was not stored, try again");
      batch.forEach(pending -> pending.stored().fail(unavailable));
    }
    return Future.succeededFuture();
  }
}
