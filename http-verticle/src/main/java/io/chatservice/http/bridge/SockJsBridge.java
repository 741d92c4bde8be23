package io.chatservice.http.bridge;

import io.chatservice.http.connection.CloseReason;
import io.chatservice.http.connection.Edge;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.HashSet;
import java.util.Set;

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

  private final Edge edge;
  private final Set<BridgeConnection> connections = new HashSet<>();

  public SockJsBridge(Edge edge) {
    this.edge = edge;
  }

  public Router router() {
    edge.vertx().setPeriodic(PING_TIMEOUT_MS / 3, id -> closeSilentSockets());
    return SockJSHandler.create(edge.vertx(), new SockJSHandlerOptions()
        .setRegisterWriteHandler(false)
        .setHeartbeatInterval(edge.limits().pingInterval().toMillis()))
      .socketHandler(this::onSocket);
  }

  private void onSocket(SockJSSocket socket) {
    if (socket.webUser() == null) {
      socket.close();
      return;
    }
    BridgeConnection connection = new BridgeConnection(socket, socket.webUser().subject(), edge);
    socket.closeHandler(v -> {
      connections.remove(connection);
      connection.leaveAll();
      edge.connections().closed(connection);
    });
    if (!edge.connections().opened(connection)) {
      connection.close(CloseReason.TOO_MANY_CONNECTIONS);
      return;
    }
    connections.add(connection);
    socket.handler(connection::onFrame);
  }

  private void closeSilentSockets() {
    long cutoff = System.currentTimeMillis() - PING_TIMEOUT_MS;
    connections.stream().filter(c -> c.lastActive() < cutoff).toList().forEach(c -> c.close(CloseReason.PING_TIMEOUT));
  }
}
