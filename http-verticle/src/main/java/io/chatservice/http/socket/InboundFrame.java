package io.chatservice.http.socket;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A client frame of /ws, read without a socket: a join, leave or send, or the
 * reason it is refused. Reading never throws, whatever the text; what the
 * frame asks for (the room, the text) is judged later by the chat domain.
 */
sealed interface InboundFrame {

  /** The client's "ref", any JSON value, echoed on the answer; null when absent. */
  Object ref();

  record Join(String room, Long after, Object ref) implements InboundFrame {
  }

  /** room is null when it was not a string: nothing is joined under that name. */
  record Leave(String room, Object ref) implements InboundFrame {
  }

  /** room and text as sent (any JSON value): the send request checks them. */
  record Send(Object room, Object text, Object ref) implements InboundFrame {
    JsonObject body() {
      return new JsonObject().put("room", room).put("text", text);
    }
  }

  record Invalid(ChatException reason, Object ref) implements InboundFrame {
  }

  static InboundFrame parse(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return new Invalid(ChatError.MALFORMED_BODY.exception("A frame is a JSON object with a \"type\""), null);
    }
    Object ref = frame.getValue("ref");
    if (!(frame.getValue("type") instanceof String type)) {
      return new Invalid(ChatError.MALFORMED_BODY.exception("Missing \"type\": join, leave or send"), ref);
    }
    return switch (type) {
      case "join" -> join(frame, ref);
      case "leave" -> new Leave(frame.getValue("room") instanceof String room ? room : null, ref);
      case "send" -> new Send(frame.getValue("room"), frame.getValue("text"), ref);
      // The type is not echoed whole: a 64 KiB type would make a 64 KiB error frame.
      default -> new Invalid(ChatError.MALFORMED_BODY.exception("Unknown type '" + abbreviated(type) + "': join, leave or send"), ref);
    };
  }

  private static String abbreviated(String text) {
    return text.length() <= 32 ? text : text.substring(0, 32) + "...";
  }

  private static InboundFrame join(JsonObject frame, Object ref) {
    if (!(frame.getValue("room") instanceof String room)) {
      return new Invalid(ChatError.INVALID_ROOM.exception("Field 'room' must be a string"), ref);
    }
    Object after = frame.getValue("after");
    if (after == null) {
      return new Join(room, null, ref);
    }
    // A whole number that fits a long: 1.5, 1e300, NaN, -1 and 2^64 (whose longValue wraps) are refused.
    if (after instanceof Number n && n.longValue() >= 0 && n.doubleValue() == n.longValue()) {
      return new Join(room, n.longValue(), ref);
    }
    return new Invalid(ChatError.INVALID_PARAMETER.exception("Field 'after' must be a whole number >= 0"), ref);
  }
}
