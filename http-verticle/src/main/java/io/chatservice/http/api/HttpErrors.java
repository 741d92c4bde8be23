package io.chatservice.http.api;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the contract's error body {"error","message"} with the reason's status. */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {
  }

  public static void send(RoutingContext ctx, Throwable failure) {
    ChatException reason = ChatError.of(failure);
    if (reason.error() == ChatError.INTERNAL) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
    }
    send(ctx, reason.error(), reason.getMessage());
  }

  public static void send(RoutingContext ctx, ChatError error, String message) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
      .setStatusCode(error.status)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
      .end(new JsonObject().put("error", error.code).put("message", message).encode());
  }

  /** The router's failure handler: thrown {@link ChatError}s, body-size refusals and anything unexpected. */
  public static void onFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure != null && !(failure instanceof io.vertx.ext.web.handler.HttpException)) {
      send(ctx, failure);
      return;
    }
    int status = ctx.statusCode();
    switch (status) {
      case 400 -> send(ctx, ChatError.MALFORMED_BODY, "Malformed request");
      case 401 -> send(ctx, ChatError.UNAUTHENTICATED, "Log in first");
      case 404 -> send(ctx, ChatError.NOT_FOUND, "No such resource");
      case 405 -> sendStatus(ctx, 405, "method_not_allowed", "Method not allowed here");
      case 413 -> sendStatus(ctx, 413, "body_too_large", "Request body is too large");
      case 415 -> sendStatus(ctx, 415, "unsupported_media_type", "Send JSON or a form");
      default -> send(ctx, failure == null ? ChatError.INTERNAL.exception("Internal error") : failure);
    }
  }

  private static void sendStatus(RoutingContext ctx, int status, String error, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(new JsonObject().put("error", error).put("message", message).encode());
    }
  }
}
