package io.chatservice.chat.api;

import io.vertx.core.json.JsonObject;

/** A stored message, the one envelope every transport delivers. */
public record ChatMessage(long id, String room, long seq, String from, String text, long ts) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("room", room)
      .put("seq", seq)
      .put("from", from)
      .put("text", text)
      .put("ts", ts);
  }

  public static ChatMessage fromJson(JsonObject json) {
    return new ChatMessage(json.getLong("id"), json.getString("room"), json.getLong("seq"),
      json.getString("from"), json.getString("text"), json.getLong("ts"));
  }

  public SendReceipt receipt() {
    return new SendReceipt(id, room, seq, ts);
  }
}
