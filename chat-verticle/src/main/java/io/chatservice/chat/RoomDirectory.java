package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.Names;
import io.chatservice.chat.persistence.RoomRepository;
import io.chatservice.chat.persistence.RoomRepository.RoomRecord;
import io.chatservice.chat.persistence.UserRepository;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may use which room: any user a public room that exists, only the two
 * participants a dm. Room ids never change, so found rooms are cached.
 */
final class RoomDirectory {

  private final RoomRepository rooms;
  private final UserRepository users;
  private final EventBus bus;
  private final Map<String, Long> knownIds = new HashMap<>();

  RoomDirectory(RoomRepository rooms, UserRepository users, EventBus bus) {
    this.rooms = rooms;
    this.users = users;
    this.bus = bus;
  }

  /** The room's id for a reader; empty for a dm nobody has written to yet. */
  Future<Optional<Long>> forReading(String user, String room) {
    return checkAccess(user, room).compose(v -> {
      Long known = knownIds.get(room);
      if (known != null) {
        return Future.succeededFuture(Optional.of(known));
      }
      return Names.isDmId(room)
        ? otherParticipant(user, room).compose(other -> rooms.find(room)).map(this::remember)
        : rooms.find(room).map(found -> remember(Optional.of(found.orElseThrow(() -> unknownRoom(room)))));
    });
  }

  /** The id of an existing room or dm, with no access check: for the edge's own reads. */
  Future<Optional<Long>> idOf(String room) {
    if (!Names.isRoomId(room)) {
      return Future.failedFuture(ChatError.INVALID_ROOM.exception("'" + room + "' is not a room name or dm id"));
    }
    Long known = knownIds.get(room);
    return known != null ? Future.succeededFuture(Optional.of(known)) : rooms.find(room).map(this::remember);
  }

  /** The room's id for a writer; a dm is created by its first message, and the other user told. */
  Future<Long> forWriting(String user, String room) {
    return checkAccess(user, room).compose(v -> {
      Long known = knownIds.get(room);
      if (known != null) {
        return Future.succeededFuture(known);
      }
      return Names.isDmId(room)
        ? openDm(user, room).map(RoomRecord::id)
        : forReading(user, room).map(Optional::orElseThrow);
    });
  }

  /** Opens the dm between a user and another (by name), as POST /api/dms does. */
  Future<RoomRecord> openDm(String user, String room) {
    return checkAccess(user, room)
      .compose(v -> otherParticipant(user, room))
      .compose(other -> rooms.open(room, RoomRepository.KIND_DM).map(opened -> {
        if (opened.created()) {
          bus.publish(ChatAddresses.user(other),
            new JsonObject().put("type", "dm").put("room", room).put("with", user));
        }
        knownIds.put(room, opened.room().id());
        return opened.room();
      }));
  }

  private Future<Void> checkAccess(String user, String room) {
    if (Names.isRoomName(room)) {
      return Future.succeededFuture();
    }
    if (!Names.isDmId(room)) {
      return Future.failedFuture(ChatError.INVALID_ROOM.exception("'" + room + "' is not a room name or dm id"));
    }
    if (!Names.isParticipant(room, user)) {
      return Future.failedFuture(ChatError.NOT_A_PARTICIPANT.exception("Only its two participants may use " + room));
    }
    return Future.succeededFuture();
  }

  /** The other participant's name as registered; a dm with nobody is unknown. */
  private Future<String> otherParticipant(String user, String room) {
    String otherKey = Names.otherParticipant(room, user);
    return users.findByKey(otherKey).map(found -> found
      .orElseThrow(() -> ChatError.UNKNOWN_USER.exception("No user '" + otherKey + "'"))
      .username());
  }

  private Optional<Long> remember(Optional<RoomRecord> found) {
    found.ifPresent(room -> knownIds.put(room.name(), room.id()));
    return found.map(RoomRecord::id);
  }

  private static RuntimeException unknownRoom(String room) {
    return ChatError.UNKNOWN_ROOM.exception("No room '" + room + "'");
  }
}
