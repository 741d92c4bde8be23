package io.chatservice.http.auth;

import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
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
    // exp is set here, in whole seconds, so expiresAt is exactly the instant the token stops working.
    long expiresAtSeconds = System.currentTimeMillis() / 1000 + TTL.toSeconds();
    String token = jwt.generateToken(new JsonObject().put("sub", username).put("guest", guest).put("exp", expiresAtSeconds),
      new JWTOptions().setAlgorithm(ALGORITHM));
    return new IssuedToken(token, username, expiresAtSeconds * 1000);
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
