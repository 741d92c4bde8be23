package io.chatservice.http.bridge;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.connection.ClientConnection;
import io.chatservice.http.connection.CloseReason;
import io.chatservice.http.connection.ConnectionIds;
import io.chatservice.http.connection.ConnectionRegistry;
import io.chatservice.http.connection.Edge;
import io.chatservice.http.connection.OutboundBudget;
import io.chatservice.http.connection.SendGate;
import io.chatservice.http.delivery.Feeds;
import io.chatservice.http.delivery.RoomSubscription;
import io.chatservice.http.delivery.Subscriber;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.HashMap;
import java.util.Map;

/**
 * One SockJS socket speaking the Vert.x event-bus bridge protocol, as
 * vertx-eventbus.js does: frames send, publish, register, unregister, ping
 * from the client; rec and err from the server. The socket never registers
 * anything on the event bus itself: it joins this node's shared feeds.
 */
final class BridgeConnection implements ClientConnection {

  private final SockJSSocket socket;
  private final String user;
  private final long id = ConnectionIds.next();
  private final Vertx vertx;
  private final DomainClient domain;
  private final Feeds feeds;
  private final SendGate sends;
  private final ConnectionRegistry connections;
  private final OutboundBudget budget;
  private final int maxRegistrations;
  /** address -> the RoomSubscription or Subscriber standing for it. */
  private final Map<String, Object> registrations = new HashMap<>();
  private final Subscriber direct;
  private long lastSeen = System.currentTimeMillis();
  private boolean closed;

  BridgeConnection(SockJSSocket socket, String user, Edge edge) {
    this.socket = socket;
    this.user = user;
    this.vertx = edge.vertx();
    this.domain = edge.domain();
    this.feeds = edge.feeds();
    this.sends = edge.sends();
    this.connections = edge.connections();
    this.budget = new OutboundBudget(edge.limits().maxOutboundBytes());
    this.maxRegistrations = edge.limits().maxRoomsPerConnection();
    this.direct = delivery -> write(delivery.bridgeFrame());
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String id() {
    return Long.toString(id);
  }

  @Override
  public String transport() {
    return "sockjs";
  }

  @Override
  public long lastActive() {
    return lastSeen;
  }

  void onFrame(Buffer data) {
    lastSeen = System.currentTimeMillis();
    BridgeFrame frame = BridgeFrame.parse(data);
    if (frame instanceof BridgeFrame.Send send) {
      send(send);
    } else if (frame instanceof BridgeFrame.Register register) {
      register(register);
    } else if (frame instanceof BridgeFrame.Unregister unregister) {
      unregister(unregister.address());
    } else if (frame instanceof BridgeFrame.Refused refused) {
      replyError(refused.error());
    }
  }

  private void send(BridgeFrame.Send frame) {
    String replyAddress = frame.replyAddress();
    Future<JsonObject> sent = frame.invalid() != null ? Future.failedFuture(frame.invalid()) : sends.send(user, frame.body());
    sent.onComplete(done -> {
      if (replyAddress == null) {
        return;
      }
      if (done.succeeded()) {
        write(new JsonObject().put("type", "rec").put("address", replyAddress).put("body", done.result()).encode());
      } else {
        failure(replyAddress, ChatError.of(done.cause()));
      }
    });
  }

  private void register(BridgeFrame.Register frame) {
    String address = frame.address();
    if (registrations.containsKey(address)) {
      replyError("address_already_registered");
      return;
    }
    if (registrations.size() >= maxRegistrations) {
      replyError("max_handlers_reached");
      return;
    }
    String room = ChatAddresses.roomOf(address);
    String owner = ChatAddresses.userOf(address);
    if (room == null && owner == null && !ChatAddresses.PRESENCE.equals(address)) {
      replyError("access_denied");
      return;
    }
    // Claimed now, so a second register of the same address while this one is checked is refused.
    registrations.put(address, direct);
    Future<Object> registered;
    if (frame.invalid() != null) {
      registered = Future.failedFuture(frame.invalid());
    } else if (room != null) {
      registered = domain.object(ChatAddresses.ROOM_ACCESS, new JsonObject().put("user", user).put("room", room))
        .compose(allowed -> feeds.room(room, frame.after(), delivery -> write(delivery.bridgeFrame())))
        .map(subscription -> (Object) subscription);
    } else if (owner != null && !owner.equals(user)) {
      registered = Future.failedFuture(ChatError.NOT_A_PARTICIPANT.exception("Only " + owner + " may receive " + address));
    } else {
      registered = feeds.direct(address, direct).map(v -> direct);
    }
    registered.onComplete(done -> {
      if (closed || done.failed()) {
        release(address, done.succeeded() ? done.result() : null);
        if (done.failed()) {
          registrations.remove(address);
          failure(address, ChatError.of(done.cause()));
          replyError("rejected");
        }
        return;
      }
      registrations.put(address, done.result());
    });
  }

  private void unregister(String address) {
    Object registration = registrations.remove(address);
    if (registration != null) {
      release(address, registration);
    }
  }

  private void release(String address, Object registration) {
    if (registration instanceof RoomSubscription subscription) {
      feeds.leave(subscription);
    } else if (registration != null) {
      feeds.leave(address, direct);
    }
  }

  /**
   * vertx-web's SockJS sessions close with a fixed c[3000,"Go away!"] whatever
   * code is asked for (only its raw-WebSocket transport honours it), so the
   * reason goes first as a bridge error frame, which vertx-eventbus.js hands
   * to onerror: {"type":"err","body":"service_restart","failureCode":1012,...}.
   */
  @Override
  public void close(CloseReason reason) {
    if (closed) {
      return;
    }
    connections.closing(reason);
    leaveAll();
    if (reason == CloseReason.SLOW_CONSUMER) {
      socket.close(reason.code, reason.text()); // its buffer is full: a notice would never arrive
      // Nor would the close frame; drop the underlying connection so its kernel buffers go too.
      if (socket.routingContext() != null) {
        vertx.setTimer(2000, t -> socket.routingContext().request().connection().close());
      }
      return;
    }
    // Closed once the notice is out (a session closed at once drops what it has not flushed), or after a second.
    long fallback = vertx.setTimer(1000, t -> socket.close(reason.code, reason.text()));
    socket.write(new JsonObject().put("type", "err").put("body", reason.error).put("failureCode", (int) reason.code)
        .put("failureType", "CLOSE").put("message", reason.advice).encode())
      .onComplete(written -> {
        vertx.cancelTimer(fallback);
        socket.close(reason.code, reason.text());
      });
  }

  /** Leaves every feed; called once, when the socket closes. */
  void leaveAll() {
    closed = true;
    registrations.forEach(this::release);
    registrations.clear();
  }

  private void failure(String address, ChatException reason) {
    write(new JsonObject()
      .put("type", "err")
      .put("address", address)
      .put("failureCode", reason.error().status)
      .put("failureType", "RECIPIENT_FAILURE")
      .put("message", reason.error().code + ": " + reason.getMessage())
      .encode());
  }

  private void replyError(String error) {
    write(new JsonObject().put("type", "err").put("body", error).encode());
  }

  private void write(String frame) {
    if (!closed && !budget.write(frame.length(), () -> socket.write(frame))) {
      close(CloseReason.SLOW_CONSUMER);
    }
  }
}
