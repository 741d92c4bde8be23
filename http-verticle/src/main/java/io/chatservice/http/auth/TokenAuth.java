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
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * JWT issue and check. HS256 is the only key, so "none" and any other
 * algorithm a token names are refused, as are keys a token points at itself
 * (kid, jku, jwk); a token without {@code exp} or past it is refused.
 */
public final class TokenAuth {

  public static final String COOKIE = "chat_token";
  public static final String QUERY_PARAM = "token";
  public static final Duration TTL = Duration.ofHours(24);
  /** HS256 is only as strong as its key: RFC 7518 asks for at least the hash size. */
  public static final int MIN_SECRET_BYTES = 32;
  private static final String ALGORITHM = "HS256";
  private static final String BEARER = "bearer ";

  /** A token handed to a client and the instant it stops working. */
  public record IssuedToken(String token, String username, long expiresAt) {
    public JsonObject toJson() {
      return new JsonObject().put("token", token).put("username", username).put("expiresAt", expiresAt);
    }
  }

  private final JWTAuth jwt;

  public TokenAuth(Vertx vertx, String secret) {
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the JWT secret must be at least " + MIN_SECRET_BYTES + " bytes");
    }
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
   * Route handler: a valid token makes {@code ctx.user()}; otherwise the
   * request fails with 401. One carrier is read, the first present of a Bearer
   * header, {@code ?token=} and the cookie: a request with an explicit token
   * never falls back to the cookie, which is what exempts it from origin checks.
   */
  public AuthenticationHandler handler() {
    return SimpleAuthenticationHandler.create().authenticate(ctx -> {
      String token = carriedToken(ctx);
      if (token == null || token.isEmpty()) {
        return Future.failedFuture(new HttpException(401));
      }
      return jwt.authenticate(new TokenCredentials(token))
        .compose(TokenAuth::requireExpiry)
        .recover(refused -> Future.failedFuture(new HttpException(401, refused)));
    });
  }

  /** A Bearer header or a {@code ?token=}: credentials another site cannot make a browser attach. */
  public static boolean carriesExplicitToken(RoutingContext ctx) {
    return bearer(ctx.request()) != null || ctx.queryParams().contains(QUERY_PARAM);
  }

  private static String carriedToken(RoutingContext ctx) {
    String bearer = bearer(ctx.request());
    if (bearer != null) {
      return bearer;
    }
    if (ctx.queryParams().contains(QUERY_PARAM)) {
      return ctx.queryParams().get(QUERY_PARAM);
    }
    Cookie cookie = ctx.request().getCookie(COOKIE);
    return cookie == null ? null : cookie.getValue();
  }

  private static String bearer(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      return null;
    }
    return authorization.substring(BEARER.length()).trim();
  }

  /** vertx-auth checks exp only when a token has one; ours always do, so one without is not ours. */
  private static Future<User> requireExpiry(User user) {
    // exp sits in the user's attributes (vertx-auth copies the claims there), not its principal.
    if (user.get("exp") instanceof Number) {
      return Future.succeededFuture(user);
    }
    return Future.failedFuture(new IllegalStateException("token without exp"));
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
