package io.chatservice.http.sse;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.HttpErrors;
import io.chatservice.http.api.QueryParams;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.connection.Edge;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /sse?room=: a room as server-sent events. Access is checked before the
 * stream starts, so a refusal is an ordinary HTTP error with the contract's
 * body; a reconnect with Last-Event-ID (or ?after=) replays what was missed.
 */
public final class SseEndpoint {

  private final Edge edge;

  public SseEndpoint(Edge edge) {
    this.edge = edge;
  }

  public void stream(RoutingContext ctx) {
    String user = TokenAuth.username(ctx);
    String room = QueryParams.get(ctx, "room");
    Long after = resumePoint(ctx);
    if (room == null) {
      HttpErrors.send(ctx, ChatError.INVALID_ROOM, "Query parameter 'room' is required");
      return;
    }
    if (!edge.connections().hasRoomFor(user)) {
      HttpErrors.send(ctx, ChatError.RATE_LIMITED, "Too many connections for " + user);
      return;
    }
    edge.domain().object(ChatAddresses.ROOM_ACCESS, new JsonObject().put("user", user).put("room", room))
      .onFailure(failure -> HttpErrors.send(ctx, failure))
      .onSuccess(allowed -> open(ctx, user, room, after));
  }

  private void open(RoutingContext ctx, String user, String room, Long after) {
    HttpServerResponse response = ctx.response();
    if (response.closed()) {
      return;
    }
    response.setChunked(true)
      .putHeader("Content-Type", "text/event-stream; charset=utf-8")
      .putHeader("Cache-Control", "no-cache, no-transform")
      // nginx and friends buffer responses unless told not to; events must not wait.
      .putHeader("X-Accel-Buffering", "no")
      .putHeader("Connection", "keep-alive");
    SseConnection connection = new SseConnection(response, user, edge);
    connection.start(room, after);
  }

  /** Last-Event-ID (a browser's reconnect) wins over ?after= (a first connect that knows where it was). */
  private static Long resumePoint(RoutingContext ctx) {
    String value = ctx.request().getHeader("Last-Event-ID");
    String name = "Last-Event-ID";
    if (value == null || value.isBlank()) {
      value = QueryParams.get(ctx, "after");
      name = "after";
    }
    return value == null || value.isBlank() ? null : QueryParams.seq(name, value);
  }
}
