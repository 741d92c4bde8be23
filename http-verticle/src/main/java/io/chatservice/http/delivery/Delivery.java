package io.chatservice.http.delivery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * One event leaving this node for its local clients: a room message, a
 * presence change or a user event. Each wire form is encoded at most once,
 * however many sockets it goes to.
 */
public final class Delivery {

  /** No seq: presence and user events are not sequenced. */
  public static final long NO_SEQ = -1;

  private final String address;
  private final JsonObject body;
  private final long seq;
  private String bridgeFrame;
  private ByteBuf socketFrame;
  private String sseEvent;

  public Delivery(String address, JsonObject body, long seq) {
    this.address = address;
    this.body = body;
    this.seq = seq;
  }

  public String address() {
    return address;
  }

  public JsonObject body() {
    return body;
  }

  public long seq() {
    return seq;
  }

  /** The SockJS event-bus bridge's frame: {"type":"rec","address","body"}. */
  public String bridgeFrame() {
    if (bridgeFrame == null) {
      bridgeFrame = new JsonObject().put("type", "rec").put("address", address).put("body", body).encode();
    }
    return bridgeFrame;
  }

  /**
   * The raw WebSocket's frame: the body with its "type" (message, presence,
   * dm...), as UTF-8 bytes. Encoded once for every socket it goes to; a writer
   * takes a {@code duplicate()}, so each write has its own read position.
   */
  public ByteBuf socketFrame(String type) {
    if (socketFrame == null) {
      socketFrame = Unpooled.wrappedBuffer(new JsonObject().put("type", type).mergeIn(body).encode().getBytes(StandardCharsets.UTF_8));
    }
    return socketFrame;
  }

  /** The SSE event: id is the seq, so a browser's Last-Event-ID resumes exactly. */
  public String sseEvent() {
    if (sseEvent == null) {
      sseEvent = "event: message\nid: " + seq + "\ndata: " + body.encode() + "\n\n";
    }
    return sseEvent;
  }
}
