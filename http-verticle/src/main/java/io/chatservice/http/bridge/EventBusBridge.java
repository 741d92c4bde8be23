package io.chatservice.http.bridge;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.DomainClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The SockJS event-bus bridge at /eventbus. Sockets exist only for an
 * authenticated user; sends are stamped with that user; registrations of
 * rooms, dms and user addresses are checked against the domain's rules, and a
 * refusal reaches the client's handler as an error.
 */
public final class EventBusBridge {

  private final Vertx vertx;
  private final DomainClient domain;
  /** Connection id and user of each open socket, for presence; touched on this verticle's event loop only. */
  private final Map<SockJSSocket, Connection> connections = new HashMap<>();

  private record Connection(String id, String user) {
  }

  public EventBusBridge(Vertx vertx, DomainClient domain) {
    this.vertx = vertx;
    this.domain = domain;
  }

  public Router router() {
    return SockJSHandler.create(vertx).bridge(options(), this::onEvent);
  }

  /** Permissions built from the address constants; the hook narrows them per user. */
  static SockJSBridgeOptions options() {
    return new SockJSBridgeOptions()
      .addInboundPermitted(new PermittedOptions().setAddress(ChatAddresses.SEND))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(ChatAddresses.ROOM_PREFIX) + ".+"))
      .addOutboundPermitted(new PermittedOptions().setAddress(ChatAddresses.PRESENCE))
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(Pattern.quote(ChatAddresses.USER_PREFIX) + ".+"));
  }

  private void onEvent(BridgeEvent event) {
    switch (event.type()) {
      case SOCKET_CREATED -> opened(event);
      case SOCKET_CLOSED -> closed(event);
      case SEND -> stampSender(event);
      // A publish to chat.send would reach every node's chat verticle: one send must be stored once.
      case PUBLISH -> event.complete(false);
      case REGISTER -> authorizeRegister(event);
      default -> event.complete(true);
    }
  }

  private void opened(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    if (socket.webUser() == null) {
      event.complete(false);
      return;
    }
    Connection connection = new Connection(UUID.randomUUID().toString(), socket.webUser().subject());
    connections.put(socket, connection);
    domain.notify(ChatAddresses.PRESENCE_CONNECT, presence(connection));
    event.complete(true);
  }

  private void closed(BridgeEvent event) {
    Connection connection = connections.remove(event.socket());
    if (connection != null) {
      domain.notify(ChatAddresses.PRESENCE_DISCONNECT, presence(connection));
    }
    event.complete(true);
  }

  /** Whatever headers the client sent are dropped; the only header is the authenticated sender. */
  private void stampSender(BridgeEvent event) {
    Connection connection = connections.get(event.socket());
    if (connection == null) {
      event.complete(false);
      return;
    }
    JsonObject raw = event.getRawMessage();
    raw.put("headers", new JsonObject().put(ChatAddresses.FROM_HEADER, connection.user()));
    event.setRawMessage(raw);
    event.complete(true);
  }

  private void authorizeRegister(BridgeEvent event) {
    Connection connection = connections.get(event.socket());
    String address = event.getRawMessage().getString("address");
    if (connection == null || address == null) {
      event.complete(false);
      return;
    }
    String room = ChatAddresses.roomOf(address);
    String user = ChatAddresses.userOf(address);
    Future<Void> allowed;
    if (room != null) {
      allowed = domain.object(ChatAddresses.ROOM_ACCESS, new JsonObject().put("user", connection.user()).put("room", room)).mapEmpty();
    } else if (user != null) {
      allowed = user.equals(connection.user()) ? Future.succeededFuture()
        : Future.failedFuture(ChatError.NOT_A_PARTICIPANT.exception("Only " + user + " may receive " + address));
    } else {
      // chat.presence, or an address the permitted list will refuse with access_denied.
      allowed = Future.succeededFuture();
    }
    allowed.onComplete(done -> {
      if (done.failed()) {
        refuse(event.socket(), address, ChatError.of(done.cause()));
      }
      event.complete(done.succeeded());
    });
  }

  /** Addressed to the registration, so the official client hands it to that handler as an error. */
  private static void refuse(SockJSSocket socket, String address, io.chatservice.chat.api.ChatException reason) {
    socket.write(Buffer.buffer(new JsonObject()
      .put("type", "err")
      .put("address", address)
      .put("failureCode", reason.error().status)
      .put("failureType", "RECIPIENT_FAILURE")
      .put("message", reason.error().code + ": " + reason.getMessage())
      .encode()));
  }

  private static JsonObject presence(Connection connection) {
    return new JsonObject().put("user", connection.user()).put("connection", connection.id());
  }
}
