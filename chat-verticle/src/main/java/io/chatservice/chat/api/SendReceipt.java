package io.chatservice.chat.api;

import io.vertx.core.json.JsonObject;

/** The reply to a send: the message is in the database with this id and seq. */
public record SendReceipt(long id, String room, long seq, long ts) {

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("room", room).put("seq", seq).put("ts", ts);
  }
}
