package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.Names;
import io.chatservice.chat.persistence.UserRepository;
import io.chatservice.chat.persistence.UserRepository.UserRecord;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.List;

import static io.chatservice.chat.api.Requests.serve;

/** Accounts: registration, password check, guests and the user list. Issuing tokens is the edge's job. */
public final class AccountVerticle extends VerticleBase {

  private final Pool pool;
  private final ChatConfig config;
  private UserRepository users;
  private PasswordHasher hasher;

  public AccountVerticle(Pool pool, ChatConfig config) {
    this.pool = pool;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    users = new UserRepository(pool);
    return vertx.executeBlocking(() -> new PasswordHasher(config.bcryptCost()), false)
      .compose(created -> {
        hasher = created;
        return Future.all(List.of(
          serve(bus, ChatAddresses.USERS_REGISTER, this::register),
          serve(bus, ChatAddresses.USERS_LOGIN, this::login),
          serve(bus, ChatAddresses.USERS_GUEST, this::guest),
          serve(bus, ChatAddresses.USERS_LIST, this::list)));
      });
  }

  /** {"username","password"} -> {"username"}. */
  private Future<JsonObject> register(Message<JsonObject> request) {
    String username = username(request.body());
    Object password = request.body().getValue("password");
    if (!(password instanceof String secret) || !Names.isPassword(secret)) {
      return Future.failedFuture(ChatError.INVALID_PASSWORD.exception("A password is 8 to 256 characters"));
    }
    return vertx.executeBlocking(() -> hasher.hash(secret), false)
      .compose(hash -> users.insert(username, Names.userKey(username), hash, false))
      .map(v -> new JsonObject().put("username", username));
  }

  /** {"username","password"} -> {"username","guest":false} with the registered spelling, or 401. */
  private Future<JsonObject> login(Message<JsonObject> request) {
    Object name = request.body().getValue("username");
    Object password = request.body().getValue("password");
    if (!(name instanceof String username) || !(password instanceof String secret)
      || !Names.isUsername(username) || !Names.isPassword(secret)) {
      return Future.failedFuture(badCredentials());
    }
    return users.findByKey(Names.userKey(username)).compose(found -> {
      String hash = found.map(UserRecord::passwordHash).orElse(null);
      return vertx.executeBlocking(() -> hasher.verify(secret, hash), false).map(ok -> {
        if (!ok) {
          throw badCredentials();
        }
        return new JsonObject().put("username", found.get().username()).put("guest", false);
      });
    });
  }

  /** {"username"} -> {"username","guest":true}; a guest keeps the name, so nobody can register it meanwhile. */
  private Future<JsonObject> guest(Message<JsonObject> request) {
    String username = username(request.body());
    return users.insert(username, Names.userKey(username), null, true)
      .map(v -> new JsonObject().put("username", username).put("guest", true));
  }

  private Future<JsonArray> list(Message<JsonObject> request) {
    return users.usernames().map(JsonArray::new);
  }

  private static String username(JsonObject body) {
    Object name = body.getValue("username");
    if (!(name instanceof String username) || !Names.isUsername(username)) {
      throw ChatError.INVALID_USERNAME.exception("A username is 2 to 32 of A-Z, a-z, 0-9, '_', '.' and '-'");
    }
    return username;
  }

  private static RuntimeException badCredentials() {
    return ChatError.BAD_CREDENTIALS.exception("Wrong username or password");
  }
}
