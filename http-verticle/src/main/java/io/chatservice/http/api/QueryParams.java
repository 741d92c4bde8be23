package io.chatservice.http.api;

import io.chatservice.chat.api.ChatError;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.ext.web.RoutingContext;

/**
 * Query parameters and the seqs clients name (after, before, limit,
 * Last-Event-ID, the bridge's after header), read the same way everywhere:
 * a refusal is always a contract error, never an exception of the parser.
 */
public final class QueryParams {

  private QueryParams() {
  }

  /** A query parameter; a query that does not decode (e.g. {@code %zz}) is a 400, not a failure of ours. */
  public static String get(RoutingContext ctx, String name) {
    try {
      return ctx.request().getParam(name);
    } catch (IllegalArgumentException e) {
      throw undecodable();
    }
  }

  /** A seq as text: absent (null), or a whole number >= 0; anything else is a 422 naming the parameter. */
  public static Long seq(String name, String value) {
    if (value == null) {
      return null;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // refused below
    }
    throw ChatError.INVALID_PARAMETER.exception("'" + name + "' must be a whole number >= 0");
  }

  /** True when the request's query string cannot be decoded, as Vert.x decodes it. */
  public static boolean undecodable(String uri) {
    try {
      new QueryStringDecoder(uri).parameters();
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  /** True when the path or the query of a request URI holds a bad percent-escape (%zz, a lone %). */
  public static boolean undecodableUri(String uri) {
    int query = uri.indexOf('?');
    try {
      QueryStringDecoder.decodeComponent(query < 0 ? uri : uri.substring(0, query));
    } catch (IllegalArgumentException e) {
      return true;
    }
    return undecodable(uri);
  }

  /**
   * A router handler: refuses a request whose query cannot be decoded before
   * anything reads it (vertx-web's BodyHandler would throw at the end of a
   * form body and leave the request unanswered).
   */
  public static void refuseUndecodable(RoutingContext ctx) {
    if (undecodableUri(ctx.request().uri())) {
      HttpErrors.send(ctx, ChatError.MALFORMED_BODY, "The path or query is not valid percent-encoding");
    } else {
      ctx.next();
    }
  }

  private static RuntimeException undecodable() {
    return ChatError.MALFORMED_BODY.exception("The query string is not valid percent-encoding");
  }
}
