package io.chatservice.http.api;

import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** Ends a request with a Future's JSON value, or with the contract's error body. */
public final class Responses {

  private Responses() {
  }

  public static void json(RoutingContext ctx, int status, Future<?> result) {
    result.onComplete(done -> {
      if (done.failed()) {
        HttpErrors.send(ctx, done.cause());
      } else if (!ctx.response().ended()) {
        ctx.response().setStatusCode(status)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
          .end(io.vertx.core.json.Json.encode(done.result()));
      }
    });
  }
}
