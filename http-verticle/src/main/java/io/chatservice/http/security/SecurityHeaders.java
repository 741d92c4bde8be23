package io.chatservice.http.security;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.XFrameHandler;

import java.util.List;

/**
 * The headers every response carries. The web client is plain files from
 * this node, so its policy can be strict: no inline or foreign script, style
 * or connection, no plugins, no framing, and referrers only to ourselves.
 */
public final class SecurityHeaders {

  /** Directive and value, in the order the header lists them. */
  private static final List<String[]> POLICY = List.of(
    new String[] {"default-src", "'self'"},
    new String[] {"script-src", "'self'"},
    new String[] {"style-src", "'self'"},
    new String[] {"img-src", "'self' data:"},
    new String[] {"connect-src", "'self'"},
    new String[] {"object-src", "'none'"},
    new String[] {"base-uri", "'none'"},
    new String[] {"frame-ancestors", "'none'"},
    new String[] {"form-action", "'self'"});

  private SecurityHeaders() {
  }

  /** Content-Security-Policy, X-Frame-Options (for browsers without frame-ancestors), nosniff and Referrer-Policy. */
  public static List<Handler<RoutingContext>> handlers() {
    CSPHandler csp = CSPHandler.create();
    POLICY.forEach(directive -> csp.setDirective(directive[0], directive[1]));
    return List.of(csp, XFrameHandler.create(XFrameHandler.DENY), SecurityHeaders::contentAndReferrer);
  }

  private static void contentAndReferrer(RoutingContext ctx) {
    ctx.response()
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("Referrer-Policy", "same-origin");
    ctx.next();
  }
}
