package io.chatservice.http.socket;

import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.HttpErrors;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.connection.Edge;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

/** GET /ws: upgrades an authenticated request to a {@link SocketConnection}. */
public final class SocketEndpoint {

  private final Edge edge;

  public SocketEndpoint(Edge edge) {
    this.edge = edge;
  }

  public void upgrade(RoutingContext ctx) {
    String user = TokenAuth.username(ctx);
    HttpConnection connection = ctx.request().connection();
    ctx.request().toWebSocket()
      .onSuccess(socket -> {
        // Before its first write: spares the socket Vert.x's cross-thread write queue (~4.7 KB).
        DirectWebSocketWrites.apply(connection);
        new SocketConnection(socket, connection, user, edge).start();
      })
      .onFailure(e -> HttpErrors.send(ctx, ChatError.MALFORMED_BODY, "Expected a WebSocket upgrade"));
  }
}
