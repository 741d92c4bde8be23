package io.chatservice.http.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.ChainAuthHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;

import java.time.Duration;

/**
 * JWT issue and check. HS256 is the only key, so "none" and any other
 * algorithm a token names are refused; expiry is always enforced.
 */
public final class TokenAuth {

  public static final String COOKIE = "chat_token";
  public static final String QUERY_PARAM = "token";
  public static final Duration TTL = Duration.ofHours(24);
  private static final String ALGORITHM = "HS256";
  private static final String BEARER = "Bearer ";

  /** A token handed to a client and the instant it stops working. */
  public record IssuedToken(String token, String username, long expiresAt) {
    public JsonObject toJson() {
      return new JsonObject().put("token", token).put("username", username).put("expiresAt", expiresAt);
    }
  }

  private final JWTAuth jwt;

  public TokenAuth(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(secret))
      .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM)));
  }

  public IssuedToken issue(String username, boolean guest) {
    long expiresAt = System.currentTimeMillis() + TTL.toMillis();
    String token = jwt.generateToken(new JsonObject().put("sub", username).put("guest", guest),
      new JWTOptions().setAlgorithm(ALGORITHM).setExpiresInSeconds((int) TTL.toSeconds()));
    // The JWT's exp is in whole seconds; report the same instant.
    return new IssuedToken(token, username, (expiresAt / 1000) * 1000);
  }

  public Future<User> authenticate(String token) {
    return jwt.authenticate(new TokenCredentials(token));
  }

  /** The token a request carries: Authorization header first, then the query, then the cookie. */
  public static String tokenOf(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return header.substring(BEARER.length()).trim();
    }
    String query = request.getParam(QUERY_PARAM);
    if (query != null && !query.isEmpty()) {
      return query;
    }
    Cookie cookie = request.getCookie(COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  /**
   * Route handler: a valid token from the Authorization header, the query or
   * the cookie makes {@code ctx.user()}; otherwise the request fails with 401.
   */
  public AuthenticationHandler handler() {
    return ChainAuthHandler.any()
      .add(JWTAuthHandler.create(jwt))
      .add(APIKeyHandler.create(jwt).parameter(QUERY_PARAM))
      .add(APIKeyHandler.create(jwt).cookie(COOKIE));
  }

  public static String username(RoutingContext ctx) {
    return ctx.user().subject();
  }

  public Cookie cookie(IssuedToken token) {
    return Cookie.cookie(COOKIE, token.token())
      .setPath("/")
      .setHttpOnly(true)
      .setSameSite(CookieSameSite.LAX)
      .setMaxAge(TTL.toSeconds());
  }

  public static Cookie clearedCookie() {
    return Cookie.cookie(COOKIE, "").setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.LAX).setMaxAge(0);
  }
}
