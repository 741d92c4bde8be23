package io.chatservice.http.socket;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.http.NodeConfig.LimitsConfig;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.connection.ClientConnection;
import io.chatservice.http.connection.CloseReason;
import io.chatservice.http.connection.Edge;
import io.chatservice.http.connection.ConnectionIds;
import io.chatservice.http.connection.ConnectionRegistry;
import io.chatservice.http.connection.OutboundBudget;
import io.chatservice.http.connection.SendGate;
import io.chatservice.http.delivery.Delivery;
import io.chatservice.http.delivery.Feeds;
import io.chatservice.http.delivery.RoomSubscription;
import io.chatservice.http.delivery.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * One raw WebSocket at /ws speaking the contract's JSON frames: join (with
 * replay after a seq), leave and send in; joined, message, ack, presence and
 * error out. A bad frame gets an error frame and the socket stays open.
 */
final class SocketConnection implements ClientConnection {

  private static final String MESSAGE = "message";
  private static final String PRESENCE = "presence";
  private static final short MESSAGE_TOO_BIG = 1009;
  private static final long FORCE_CLOSE_MS = 2000;

  private final ServerWebSocket socket;
  private final HttpConnection connection;
  private final String user;
  private final long id = ConnectionIds.next();
  private final Vertx vertx;
  private final DomainClient domain;
  private final Feeds feeds;
  private final SendGate sends;
  private final ConnectionRegistry registry;
  private final LimitsConfig limits;
  private final OutboundBudget budget;
  /** room -> its subscription; null while the join is being checked. Sized for the usual room or two. */
  private final Map<String, RoomSubscription> rooms = new HashMap<>(4);
  private final Subscriber events = this::deliverEvent;
  private long lastActive = System.currentTimeMillis();
  private long lastHeard = lastActive;
  private boolean closed;

  SocketConnection(ServerWebSocket socket, HttpConnection connection, String user, Edge edge) {
    this.socket = socket;
    this.connection = connection;
    this.user = user;
    this.vertx = edge.vertx();
    this.domain = edge.domain();
    this.feeds = edge.feeds();
    this.sends = edge.sends();
    this.registry = edge.connections();
    this.limits = edge.limits();
    this.budget = new OutboundBudget(limits.maxOutboundBytes());
  }

  /** Wires the socket up; a user over the connection limit is closed at once with the reason. */
  void start() {
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(this::onError);
    // Listening before counting the connection, so it sees its own user come online.
    feeds.direct(ChatAddresses.PRESENCE, events);
    feeds.direct(ChatAddresses.user(user), events);
    if (!registry.opened(this)) {
      close(CloseReason.TOO_MANY_CONNECTIONS);
      return;
    }
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> {
      lastActive = lastHeard = System.currentTimeMillis();
      error(null, ChatError.MALFORMED_BODY.exception("Frames are JSON text, not binary"));
    });
    socket.pongHandler(pong -> lastHeard = System.currentTimeMillis());
  }

  /** A frame over --max-frame-size is refused with 1009 (message too big) and the limit; anything else ends the socket. */
  private void onError(Throwable failure) {
    // Vert.x reports a too-long frame as corrupted, and a too-long message as an IllegalStateException.
    boolean tooBig = failure instanceof CorruptedWebSocketFrameException
      || (failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("max message size"));
    if (tooBig) {
      socket.close(MESSAGE_TOO_BIG, "frame_too_large: at most " + limits.maxFrameBytes() + " bytes per frame");
    } else {
      socket.close();
    }
  }

  /** Pinged every interval; a peer that answers neither pings nor anything else for two intervals is gone. */
  @Override
  public void heartbeat(long now) {
    if (closed) {
      return;
    }
    if (now - lastHeard > 2 * limits.pingInterval().toMillis()) {
      close(CloseReason.PING_TIMEOUT);
    } else {
      socket.writePing(Buffer.buffer());
    }
  }

  private void onText(String text) {
    lastActive = lastHeard = System.currentTimeMillis();
    InboundFrame frame = InboundFrame.parse(text);
    if (frame instanceof InboundFrame.Join join) {
      join(join);
    } else if (frame instanceof InboundFrame.Leave leave) {
      leave(leave);
    } else if (frame instanceof InboundFrame.Send send) {
      send(send);
    } else {
      error(frame.ref(), ((InboundFrame.Invalid) frame).reason());
    }
  }

  private void join(InboundFrame.Join frame) {
    String room = frame.room();
    Object ref = frame.ref();
    if (rooms.containsKey(room)) {
      error(ref, ChatError.INVALID_ROOM.exception("Already joined " + room));
      return;
    }
    if (rooms.size() >= limits.maxRoomsPerConnection()) {
      error(ref, ChatError.RATE_LIMITED.exception("At most " + limits.maxRoomsPerConnection() + " rooms per connection"));
      return;
    }
    rooms.put(room, null);
    domain.object(ChatAddresses.ROOM_ACCESS, new JsonObject().put("user", user).put("room", room))
      .compose(allowed -> feeds.room(room, frame.after(), delivery -> write(delivery.socketFrame(MESSAGE)),
        lastSeq -> write(new JsonObject().put("type", "joined").put("room", room).put("lastSeq", lastSeq).encode())))
      .onComplete(done -> {
        if (done.failed()) {
          rooms.remove(room);
          error(ref, ChatError.of(done.cause()));
        } else if (closed || !rooms.containsKey(room)) {
          feeds.leave(done.result());
        } else {
          rooms.put(room, done.result());
        }
      });
  }

  private void leave(InboundFrame.Leave frame) {
    if (!rooms.containsKey(frame.room())) {
      error(frame.ref(), ChatError.NOT_FOUND.exception("Not joined to " + frame.room()));
      return;
    }
    RoomSubscription subscription = rooms.remove(frame.room());
    if (subscription != null) {
      feeds.leave(subscription);
    }
  }

  private void send(InboundFrame.Send frame) {
    Object ref = frame.ref();
    sends.send(user, frame.body()).onComplete(done -> {
      if (done.failed()) {
        error(ref, ChatError.of(done.cause()));
      } else {
        write(new JsonObject().put("type", "ack").put("ref", ref)
          .put("id", done.result().getLong("id")).put("seq", done.result().getLong("seq")).encode());
      }
    });
  }

  /** Presence changes and the user's own events; user events carry their own type (e.g. "dm"). */
  private void deliverEvent(Delivery delivery) {
    String type = delivery.body().getString("type");
    write(delivery.socketFrame(type != null && !ChatAddresses.PRESENCE.equals(delivery.address()) ? type : PRESENCE));
  }

  private void error(Object ref, ChatException reason) {
    JsonObject frame = new JsonObject().put("type", "error");
    if (ref != null) {
      frame.put("ref", ref);
    }
    write(frame.put("code", reason.error().status).put("error", reason.error().code).put("message", reason.getMessage()).encode());
  }

  private void write(String frame) {
    if (!closed && !budget.write(frame.length(), () -> socket.writeTextMessage(frame))) {
      close(CloseReason.SLOW_CONSUMER);
    }
  }

  /**
   * A delivery's frame, encoded once for all its sockets. Vert.x's public API
   * only writes text from a String, which it encodes again for each socket
   * (a third of the edge's allocation in a fan-out); its frame class takes
   * the bytes as they are, wrapped so the encoder's release leaves them intact.
   */
  private void write(ByteBuf utf8Frame) {
    if (!closed && !budget.write(utf8Frame.readableBytes(),
      () -> socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8Frame.duplicate(), true)))) {
      close(CloseReason.SLOW_CONSUMER);
    }
  }

  @Override
  public void close(CloseReason reason) {
    if (closed) {
      return;
    }
    registry.closing(reason);
    onClosed();
    socket.close(reason.code, reason.text());
    if (reason == CloseReason.SLOW_CONSUMER || reason == CloseReason.PING_TIMEOUT) {
      // A peer that does not read never receives the close frame queued behind its data;
      // drop the TCP connection so its kernel buffers are freed too.
      vertx.setTimer(FORCE_CLOSE_MS, t -> connection.close());
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    rooms.values().forEach(subscription -> {
      if (subscription != null) {
        feeds.leave(subscription);
      }
    });
    rooms.clear();
    feeds.leave(ChatAddresses.PRESENCE, events);
    feeds.leave(ChatAddresses.user(user), events);
    registry.closed(this);
  }

  @Override
  public String id() {
    return Long.toString(id);
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String transport() {
    return "websocket";
  }

  @Override
  public long lastActive() {
    return lastActive;
  }
}
