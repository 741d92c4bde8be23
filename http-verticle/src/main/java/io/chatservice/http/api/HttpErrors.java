package io.chatservice.http.api;

import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
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
    if (error == ChatError.UNAVAILABLE) {
      // Retryable by definition (the database is away, the node is draining or in a minority): say how soon.
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    ctx.response()
      .setStatusCode(error.status)
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
      .end(new JsonObject().put("error", error.code).put("message", message).encode());
  }

  /** The router's failure handler: thrown {@link ChatError}s, body-size refusals and anything unexpected. */
  public static void onFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (!(failure instanceof ChatException) && QueryParams.undecodableUri(ctx.request().uri())) {
      // Vert.x decodes the path and the query lazily, so whichever handler (or vertx-web's router) reads them first
      // meets the bad escape, and reports it as it likes: the cause is the request.
      send(ctx, ChatError.MALFORMED_BODY, "The path or query is not valid percent-encoding");
      return;
    }
    if (isUndecodableForm(ctx, failure)) {
      if (failure instanceof HttpPostRequestDecoder.TooLongFormFieldException
        || failure instanceof HttpPostRequestDecoder.TooManyFormFieldsException) {
        sendStatus(ctx, 413, "body_too_large", "A form field is too large, or there are too many");
      } else {
        send(ctx, ChatError.MALFORMED_BODY, "The form body cannot be decoded");
      }
      return;
    }
    if (ctx.statusCode() == 400 && !(failure instanceof ChatException)) {
      // vertx-web's own 400: a path it cannot decode (%zz) or the like, found before any handler of ours ran.
      send(ctx, ChatError.MALFORMED_BODY, "Malformed request: the path, query or body cannot be decoded");
      return;
    }
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

  /**
   * Netty's form decoder refuses a malformed or oversized form with a
   * DecoderException (an IllegalArgumentException for a bad escape), and vertx-web refuses a form body on a GET with an
   * IllegalStateException: the client's fault, not ours.
   */
  private static boolean isUndecodableForm(RoutingContext ctx, Throwable failure) {
    if (failure instanceof DecoderException) {
      return true;
    }
    String type = String.valueOf(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)).toLowerCase(java.util.Locale.ROOT);
    boolean form = type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded");
    if (failure instanceof IllegalArgumentException && form) {
      return true; // a bad escape (%zz) in an urlencoded body, a multipart part without a name
    }
    HttpMethod method = ctx.request().method();
    return failure instanceof IllegalStateException && form
      && method != HttpMethod.POST && method != HttpMethod.PUT && method != HttpMethod.PATCH && method != HttpMethod.DELETE;
  }

  private static void sendStatus(RoutingContext ctx, int status, String error, String message) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .end(new JsonObject().put("error", error).put("message", message).encode());
    }
  }
}
