package io.chatservice.chat.api;

import io.vertx.core.json.JsonObject;

/** The body of {@link ChatAddresses#SEND}; the sender travels in {@link ChatAddresses#FROM_HEADER}. */
public record SendRequest(String room, String text) {

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("text", text);
  }

  /** Reads a request body as a client sent it; anything but a JSON object is malformed. */
  public static SendRequest fromBody(Object body) {
    if (!(body instanceof JsonObject json)) {
      throw ChatError.MALFORMED_BODY.exception("Expected a JSON object {\"room\",\"text\"}");
    }
    Object room = json.getValue("room");
    Object text = json.getValue("text");
    if (!(room instanceof String)) {
      throw ChatError.INVALID_ROOM.exception("Field 'room' must be a string");
    }
    if (!(text instanceof String)) {
      throw ChatError.INVALID_TEXT.exception("Field 'text' must be a string");
    }
    return new SendRequest((String) room, (String) text);
  }
}
