package io.chatservice.http.socket;

import io.chatservice.http.NodeConfig.LimitsConfig;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.api.HttpErrors;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.connection.ConnectionRegistry;
import io.chatservice.http.connection.SendGate;
import io.chatservice.http.delivery.Feeds;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/** GET /ws: upgrades an authenticated request to a {@link SocketConnection}. */
public final class SocketEndpoint {

  private final Vertx vertx;
  private final DomainClient domain;
  private final Feeds feeds;
  private final SendGate sends;
  private final ConnectionRegistry registry;
  private final LimitsConfig limits;

  public SocketEndpoint(Vertx vertx, DomainClient domain, Feeds feeds, SendGate sends, ConnectionRegistry registry, LimitsConfig limits) {
    this.vertx = vertx;
    this.domain = domain;
    this.feeds = feeds;
    this.sends = sends;
    this.registry = registry;
    this.limits = limits;
  }

  public void upgrade(RoutingContext ctx) {
    String user = TokenAuth.username(ctx);
    ctx.request().toWebSocket()
      .onSuccess(socket -> new SocketConnection(socket, user, vertx, domain, feeds, sends, registry, limits).start())
      .onFailure(e -> HttpErrors.send(ctx, ChatError.MALFORMED_BODY, "Expected a WebSocket upgrade"));
  }
}
