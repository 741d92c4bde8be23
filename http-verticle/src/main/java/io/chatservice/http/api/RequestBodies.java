package io.chatservice.http.api;

import io.chatservice.chat.api.ChatError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/** Reads a request body as fields, whether it came as JSON, urlencoded or multipart form. */
public final class RequestBodies {

  private RequestBodies() {
  }

  public static JsonObject fields(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mediaType = type == null ? "" : type.toLowerCase(Locale.ROOT);
    if (mediaType.startsWith("application/x-www-form-urlencoded") || mediaType.startsWith("multipart/form-data")) {
      JsonObject fields = new JsonObject();
      ctx.request().formAttributes().forEach(field -> {
        if (!fields.containsKey(field.getKey())) {
          fields.put(field.getKey(), field.getValue());
        }
      });
      return fields;
    }
    return jsonObject(ctx.body().buffer());
  }

  /** A body that must be a JSON object; anything else (empty, not JSON, an array, bad UTF-8) is a 400. */
  public static JsonObject jsonObject(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ChatError.MALFORMED_BODY.exception("Expected a JSON object or a form");
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw ChatError.MALFORMED_BODY.exception("Expected a JSON object or a form");
    }
  }
}
