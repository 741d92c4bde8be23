package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatMessage;
import io.chatservice.chat.persistence.MessageRepository;
import io.chatservice.chat.persistence.MessageRepository.Draft;
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
 * Appends each room's messages one batch at a time and publishes them in seq
 * order once they are in the database. One batch in flight per room keeps this
 * node's publications ordered; batching is group commit under load.
 */
final class MessageSequencer {

  private static final Logger LOG = LoggerFactory.getLogger(MessageSequencer.class);
  private static final int MAX_BATCH = 256;

  private record Pending(String from, String text, Promise<ChatMessage> stored) {
  }

  private static final class RoomQueue {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean writing;
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
    if (!queue.writing) {
      writeNext(roomId, room, queue);
    }
    return stored.future();
  }

  private void writeNext(long roomId, String room, RoomQueue queue) {
    if (queue.waiting.isEmpty()) {
      queue.writing = false;
      queues.remove(roomId);
      return;
    }
    queue.writing = true;
    List<Pending> batch = new ArrayList<>(Math.min(queue.waiting.size(), MAX_BATCH));
    List<Draft> drafts = new ArrayList<>(batch.size());
    long ts = System.currentTimeMillis();
    while (!queue.waiting.isEmpty() && batch.size() < MAX_BATCH) {
      Pending pending = queue.waiting.poll();
      batch.add(pending);
      drafts.add(new Draft(pending.from(), pending.text(), ts));
    }
    messages.append(roomId, room, drafts).onComplete(done -> {
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
      writeNext(roomId, room, queue);
    });
  }
}
