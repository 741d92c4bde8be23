package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatMessage;
import io.chatservice.chat.api.Names;
import io.chatservice.chat.api.SendRequest;
import io.chatservice.chat.persistence.Database;
import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.chat.persistence.MessageRepository;
import io.chatservice.chat.persistence.RoomRepository;
import io.chatservice.chat.persistence.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.List;

import static io.chatservice.chat.api.Requests.serve;

/**
 * Rooms and messages: validates a send, assigns its seq, stores it and
 * publishes it on the room's address; answers history and room requests.
 */
public final class ChatVerticle extends VerticleBase {

  private final Pool pool;
  private final DatabaseConfig database;
  private final ChatConfig config;
  private RoomRepository rooms;
  private MessageRepository messages;
  private RoomDirectory directory;
  private MessageSequencer sequencer;

  public ChatVerticle(Pool pool, DatabaseConfig database, ChatConfig config) {
    this.pool = pool;
    this.database = database;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    rooms = new RoomRepository(pool);
    directory = new RoomDirectory(rooms, new UserRepository(pool), bus);
    messages = new MessageRepository(pool, database.isPostgres());
    sequencer = new MessageSequencer(messages, bus);
    return Future.all(List.of(
      serve(bus, ChatAddresses.SEND, this::send),
      serve(bus, ChatAddresses.HISTORY, this::history),
      serve(bus, ChatAddresses.ROOM_ACCESS, this::access),
      serve(bus, ChatAddresses.ROOM_LOG, this::roomLog),
      serve(bus, ChatAddresses.ROOMS_LIST, this::listRooms),
      serve(bus, ChatAddresses.ROOMS_CREATE, this::createRoom),
      serve(bus, ChatAddresses.DMS_OPEN, this::openDm),
      serve(bus, ChatAddresses.HEALTH, this::health)));
  }

  private Future<JsonObject> send(Message<Object> request) {
    String from = request.headers().get(ChatAddresses.FROM_HEADER);
    if (from == null) {
      return Future.failedFuture(ChatError.UNAUTHENTICATED.exception("No authenticated sender"));
    }
    SendRequest send = SendRequest.fromBody(request.body());
    config.textRules().check(send.text());
    return directory.forWriting(from, send.room())
      .compose(roomId -> sequencer.append(roomId, send.room(), from, send.text()))
      .map(stored -> stored.receipt().toJson());
  }

  /** {"user","room","after"?,"before"?,"limit"} -> messages in ascending seq order. */
  private Future<JsonArray> history(Message<JsonObject> request) {
    JsonObject query = request.body();
    String room = query.getString("room");
    int limit = query.getInteger("limit");
    Long after = query.getLong("after");
    Long before = query.getLong("before");
    return directory.forReading(query.getString("user"), room)
      .compose(roomId -> roomId.isEmpty()
        ? Future.succeededFuture(List.<ChatMessage>of())
        : after != null
          ? messages.after(roomId.get(), room, after, limit)
          : messages.before(roomId.get(), room, before == null ? Long.MAX_VALUE : before, limit))
      .map(found -> new JsonArray(found.stream().map(ChatMessage::toJson).toList()));
  }

  /**
   * {"user","room"} -> {"room"} when the user may read the room. Answered from
   * the directory's cache once a room is known: a reconnect storm joins
   * thousands of sockets at once, and each join asks this.
   */
  private Future<JsonObject> access(Message<JsonObject> request) {
    String room = request.body().getString("room");
    return directory.forReading(request.body().getString("user"), room)
      .map(roomId -> new JsonObject().put("room", room));
  }

  /**
   * {"room","after","limit"} -> {"lastSeq","messages"}, without a user: the
   * edge's own read, to start relaying a room or fill a gap. Never bridged.
   */
  private Future<JsonObject> roomLog(Message<JsonObject> request) {
    JsonObject query = request.body();
    String room = query.getString("room");
    int limit = query.getInteger("limit");
    return directory.idOf(room).compose(roomId -> {
      if (roomId.isEmpty()) {
        return Future.succeededFuture(new JsonObject().put("lastSeq", 0L).put("messages", new JsonArray()));
      }
      Future<List<ChatMessage>> found = limit == 0 ? Future.succeededFuture(List.of())
        : messages.after(roomId.get(), room, query.getLong("after"), limit);
      return found.compose(list -> rooms.lastSeq(roomId.get()).map(lastSeq -> new JsonObject()
        .put("lastSeq", lastSeq)
        .put("messages", new JsonArray(list.stream().map(ChatMessage::toJson).toList()))));
    });
  }

  private Future<JsonArray> listRooms(Message<JsonObject> request) {
    return rooms.listFor(Names.userKey(request.body().getString("user")))
      .map(found -> new JsonArray(found.stream().map(RoomRepository.RoomRecord::toJson).toList()));
  }

  private Future<JsonObject> createRoom(Message<JsonObject> request) {
    Object name = request.body().getValue("name");
    if (!(name instanceof String room) || !Names.isRoomName(room)) {
      return Future.failedFuture(ChatError.INVALID_ROOM.exception(
        "A room name is 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter or digit"));
    }
    return rooms.create(room, RoomRepository.KIND_ROOM).map(RoomRepository.RoomRecord::toJson);
  }

  /** Answers only when the database does. */
  private Future<JsonObject> health(Message<JsonObject> request) {
    return Database.ping(pool).map(v -> new JsonObject().put("database", "UP"));
  }

  /** {"user","with"} -> {"room"}: the dm id, created if needed; idempotent. */
  private Future<JsonObject> openDm(Message<JsonObject> request) {
    String user = request.body().getString("user");
    Object with = request.body().getValue("with");
    if (!(with instanceof String other) || !Names.isUsername(other)) {
      return Future.failedFuture(ChatError.INVALID_USERNAME.exception("Field 'with' must be a username"));
    }
    if (Names.userKey(other).equals(Names.userKey(user))) {
      return Future.failedFuture(ChatError.INVALID_USERNAME.exception("A dm needs another user"));
    }
    return directory.openDm(user, Names.dmId(user, other)).map(room -> new JsonObject().put("room", room.name()));
  }
}
