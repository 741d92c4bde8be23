package io.chatservice.http.api;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.auth.TokenAuth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.HashSet;
import java.util.Set;

/** POST /api/register, /api/login, /api/logout, /api/guest; GET /api/me, /api/users. */
public final class AccountsApi {

  private final DomainClient domain;
  private final TokenAuth tokens;
  private final boolean guestsAllowed;

  public AccountsApi(DomainClient domain, TokenAuth tokens, boolean guestsAllowed) {
    this.domain = domain;
    this.tokens = tokens;
    this.guestsAllowed = guestsAllowed;
  }

  public void register(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    Responses.json(ctx, 201, domain.object(ChatAddresses.USERS_REGISTER, credentials(fields)));
  }

  public void login(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    Responses.json(ctx, 200, domain.object(ChatAddresses.USERS_LOGIN, credentials(fields)).map(user -> startSession(ctx, user)));
  }

  public void guest(RoutingContext ctx) {
    if (!guestsAllowed) {
      HttpErrors.send(ctx, ChatError.GUESTS_DISABLED, "This node does not allow guests");
      return;
    }
    JsonObject fields = RequestBodies.fields(ctx);
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

  private static JsonObject credentials(JsonObject fields) {
    return new JsonObject().put("username", fields.getValue("username")).put("password", fields.getValue("password"));
  }
}
