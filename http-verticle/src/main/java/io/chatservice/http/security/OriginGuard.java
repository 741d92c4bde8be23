package io.chatservice.http.security;

import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.HttpErrors;
import io.chatservice.http.auth.TokenAuth;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses, with 403 {@code forbidden_origin}, a browser request another site
 * made: the session cookie rides along on such requests, so without this a
 * page elsewhere could open a socket or post as the user. Allowed: the node's
 * own origin (scheme://host[:port] of the request's Host) and the configured
 * ones. Put in front of the socket handshakes, the SockJS transports and the
 * REST calls that change something. A security policy handler, so vertx-web
 * lets it run before the body is read and before authentication.
 */
public final class OriginGuard implements SecurityPolicyHandler {

  private final Set<WebOrigin> allowed;
  private final RequestSource source;

  public OriginGuard(List<String> allowedOrigins, RequestSource source) {
    this.allowed = allowedOrigins.stream()
      .map(origin -> WebOrigin.parse(origin).orElseThrow(() -> new IllegalArgumentException("not an origin: " + origin)))
      .collect(Collectors.toUnmodifiableSet());
    this.source = source;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (TokenAuth.carriesExplicitToken(ctx) || mayAct(ctx)) {
      ctx.next();
    } else {
      HttpErrors.send(ctx, ChatError.FORBIDDEN_ORIGIN, "Requests from another site may not act for this user");
    }
  }

  private boolean mayAct(RoutingContext ctx) {
    String claimed = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (claimed == null) {
      // Older browsers leave Origin off some same-site POSTs but name the page in Referer.
      claimed = ctx.request().getHeader(HttpHeaders.REFERER);
    }
    if (claimed == null) {
      // Not a browser: browsers send Origin on every WebSocket handshake and every cross-site POST, and the
      // cross-site GETs they send without it (an <img>, a link) carry no SameSite=Lax cookie.
      return true;
    }
    Optional<WebOrigin> origin = WebOrigin.parse(claimed);
    return origin.isPresent() && (allowed.contains(origin.get()) || origin.equals(source.ownOrigin(ctx.request())));
  }
}
