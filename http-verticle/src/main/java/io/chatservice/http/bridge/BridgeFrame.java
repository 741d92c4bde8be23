package io.chatservice.http.bridge;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.http.api.QueryParams;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * A frame of the event-bus bridge protocol from a client, read without a
 * socket. Reading never throws: a frame is a ping, a send to chat.send, a
 * register or unregister, or a refusal with the bridge's error body.
 * Whether the user may have what a frame asks for is judged afterwards.
 */
sealed interface BridgeFrame {

  /** vertx-eventbus.js reply addresses are UUIDs; anything much longer is abuse. */
  int MAX_REPLY_ADDRESS = 64;

  /** Every error body a refused frame can carry, besides "rejected" for a refused registration. */
  Set<String> ERRORS = Set.of("invalid_json", "missing_type", "missing_address", "access_denied", "invalid_type",
    "invalid_reply_address");

  record Ping() implements BridgeFrame {
  }

  /**
   * A request to chat.send. {@code invalid} is set when the body cannot be a
   * send at all (not a JSON object), so it is refused without a trip to the domain.
   */
  record Send(Object body, String replyAddress, ChatException invalid) implements BridgeFrame {
  }

  /** A registration; {@code invalid} is set when its "after" header is not a seq. */
  record Register(String address, Long after, ChatException invalid) implements BridgeFrame {
  }

  record Unregister(String address) implements BridgeFrame {
  }

  /** Answered with {"type":"err","body":error}. */
  record Refused(String error) implements BridgeFrame {
  }

  static BridgeFrame parse(Buffer data) {
    JsonObject frame;
    try {
      frame = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      return new Refused("invalid_json");
    }
    if (!(frame.getValue("type") instanceof String type)) {
      return new Refused("missing_type");
    }
    if ("ping".equals(type)) {
      return new Ping();
    }
    if (!(frame.getValue("address") instanceof String address)) {
      return new Refused("missing_address");
    }
    return switch (type) {
      case "send" -> send(address, frame);
      case "publish" -> new Refused("access_denied");
      case "register" -> register(address, frame.getValue("headers"));
      case "unregister" -> new Unregister(address);
      default -> new Refused("invalid_type");
    };
  }

  private static BridgeFrame send(String address, JsonObject frame) {
    if (!ChatAddresses.SEND.equals(address)) {
      return new Refused("access_denied");
    }
    Object replyTo = frame.getValue("replyAddress");
    if (replyTo != null && !(replyTo instanceof String reply && reply.length() <= MAX_REPLY_ADDRESS)) {
      return new Refused("invalid_reply_address");
    }
    Object body = frame.getValue("body");
    // Only an object can be a send; other values (a 2^64 number among them) need not cross the event bus to be refused.
    ChatException invalid = body instanceof JsonObject ? null
      : ChatError.MALFORMED_BODY.exception("Expected a JSON object {\"room\",\"text\"}");
    return new Send(body, (String) replyTo, invalid);
  }

  /** The optional "after" header of a room registration is the last seq the client saw, to replay from. */
  private static BridgeFrame register(String address, Object headers) {
    if (!(headers instanceof JsonObject json) || json.getValue("after") == null
      || ChatAddresses.roomOf(address) == null) {
      return new Register(address, null, null);
    }
    try {
      return new Register(address, QueryParams.seq("after", json.getValue("after").toString()), null);
    } catch (ChatException e) {
      return new Register(address, null, e);
    }
  }
}
