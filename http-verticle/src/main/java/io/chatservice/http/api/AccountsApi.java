package io.chatservice.http.api;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.Names;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.security.LoginThrottle;
import io.chatservice.http.security.RequestSource;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * POST /api/register, /api/login, /api/logout, /api/guest; GET /api/me, /api/users.
 * Logins, registrations and guests pass the {@link LoginThrottle} before the
 * domain is asked, so a refused attempt costs no bcrypt.
 */
public final class AccountsApi {

  private final DomainClient domain;
  private final TokenAuth tokens;
  private final boolean guestsAllowed;
  private final LoginThrottle throttle;
  private final RequestSource source;

  public AccountsApi(DomainClient domain, TokenAuth tokens, boolean guestsAllowed, LoginThrottle throttle, RequestSource source) {
    this.domain = domain;
    this.tokens = tokens;
    this.guestsAllowed = guestsAllowed;
    this.throttle = throttle;
    this.source = source;
  }

  public void register(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    if (mayGoAhead(ctx, throttle.beginRegistration(source.clientAddress(ctx.request())), "registrations from this address")) {
      Responses.json(ctx, 201, domain.object(ChatAddresses.USERS_REGISTER, credentials(fields)));
    }
  }

  public void login(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    String address = source.clientAddress(ctx.request());
    String userKey = fields.getValue("username") instanceof String name && Names.isUsername(name) ? Names.userKey(name) : null;
    if (mayGoAhead(ctx, throttle.beginLogin(userKey, address), "failed logins")) {
      Responses.json(ctx, 200, domain.object(ChatAddresses.USERS_LOGIN, credentials(fields))
        .onSuccess(user -> throttle.loginSucceeded(userKey, address))
        .map(user -> startSession(ctx, user)));
    }
  }

  public void guest(RoutingContext ctx) {
    if (!guestsAllowed) {
      HttpErrors.send(ctx, ChatError.GUESTS_DISABLED, "This node does not allow guests");
      return;
    }
    JsonObject fields = RequestBodies.fields(ctx);
    if (!mayGoAhead(ctx, throttle.beginRegistration(source.clientAddress(ctx.request())), "registrations from this address")) {
      return;
    }
    JsonObject request = new JsonObject().put("username", fields.getValue("username"));
    Responses.json(ctx, 200, domain.object(ChatAddresses.USERS_GUEST, request).map(user -> startSession(ctx, user)));
  }

  public void logout(RoutingContext ctx) {
    ctx.response().addCookie(TokenAuth.clearedCookie());
    Responses.json(ctx, 200, Future.succeededFuture(new JsonObject().put("loggedOut", true)));
  }

  public void me(RoutingContext ctx) {
    Responses.json(ctx, 200, Future.succeededFuture(new JsonObject().put("username", TokenAuth.username(ctx))));
  }

  /** Every registered user with whether they have a connection open anywhere. */
  public void users(RoutingContext ctx) {
    Future<JsonArray> names = domain.array(ChatAddresses.USERS_LIST, new JsonObject());
    Future<JsonArray> online = domain.array(ChatAddresses.PRESENCE_ONLINE, new JsonObject());
    Responses.json(ctx, 200, Future.all(names, online).map(both -> {
      Set<Object> onlineNames = new HashSet<>(online.result().getList());
      JsonArray users = new JsonArray();
      names.result().forEach(name -> users.add(new JsonObject().put("username", name).put("online", onlineNames.contains(name))));
      return users;
    }));
  }

  private JsonObject startSession(RoutingContext ctx, JsonObject user) {
    TokenAuth.IssuedToken token = tokens.issue(user.getString("username"), user.getBoolean("guest", false));
    ctx.response().addCookie(tokens.cookie(token));
    return token.toJson();
  }

  /** True for zero; otherwise answers 429 rate_limited with Retry-After in whole seconds (at least 1). */
  private static boolean mayGoAhead(RoutingContext ctx, Duration wait, String what) {
    if (wait.isZero()) {
      return true;
    }
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    ctx.response().putHeader("Retry-After", String.valueOf(seconds));
    HttpErrors.send(ctx, ChatError.RATE_LIMITED, "Too many " + what + "; try again in " + seconds + " s");
    return false;
  }

  private static JsonObject credentials(JsonObject fields) {
    return new JsonObject().put("username", fields.getValue("username")).put("password", fields.getValue("password"));
  }
}
