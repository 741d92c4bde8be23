package io.chatservice.http.bridge;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.delivery.Feeds;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The event-bus bridge at /eventbus: vertx-web's SockJS transports with our
 * own implementation of the bridge protocol on top. Unlike the stock bridge,
 * a socket's registration is not an event-bus consumer: sockets share this
 * node's feeds, so the cluster sees one registration per (node, room) and a
 * message is encoded once for all local sockets.
 */
public final class SockJsBridge {

  /** vertx-eventbus.js pings every 5 s; a socket silent this long is gone. */
  static final long PING_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final DomainClient domain;
  private final Feeds feeds;
  private final Set<BridgeConnection> connections = new HashSet<>();

  public SockJsBridge(Vertx vertx, DomainClient domain, Feeds feeds) {
    this.vertx = vertx;
    this.domain = domain;
    this.feeds = feeds;
  }

  public Router router() {
    vertx.setPeriodic(PING_TIMEOUT_MS / 3, id -> closeSilentSockets());
    return SockJSHandler.create(vertx, new SockJSHandlerOptions().setRegisterWriteHandler(false))
      .socketHandler(this::onSocket);
  }

  private void onSocket(SockJSSocket socket) {
    if (socket.webUser() == null) {
      socket.close();
      return;
    }
    BridgeConnection connection = new BridgeConnection(socket, socket.webUser().subject(),
      UUID.randomUUID().toString(), domain, feeds);
    connections.add(connection);
    domain.notify(ChatAddresses.PRESENCE_CONNECT, presence(connection));
    socket.handler(connection::onFrame);
    socket.closeHandler(v -> {
      if (connections.remove(connection)) {
        connection.close();
        domain.notify(ChatAddresses.PRESENCE_DISCONNECT, presence(connection));
      }
    });
  }

  private void closeSilentSockets() {
    long cutoff = System.currentTimeMillis() - PING_TIMEOUT_MS;
    connections.stream().filter(c -> c.lastSeen() < cutoff).toList().forEach(BridgeConnection::closeSocket);
  }

  public int connectionCount() {
    return connections.size();
  }

  private static JsonObject presence(BridgeConnection connection) {
    return new JsonObject().put("user", connection.user()).put("connection", connection.id());
  }
}
