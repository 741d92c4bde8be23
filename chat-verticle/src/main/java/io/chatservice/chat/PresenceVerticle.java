package io.chatservice.chat;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.presence.Presence;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

import static io.chatservice.chat.api.Requests.serve;

/** Tracks the edge's connections and publishes each user's online/offline transition on {@code chat.presence}. */
public final class PresenceVerticle extends VerticleBase {

  private final Presence presence;

  public PresenceVerticle(Presence presence) {
    this.presence = presence;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    return presence.start(vertx, user -> publishIf(true, user, false)).compose(started -> Future.all(List.of(
      serve(bus, ChatAddresses.PRESENCE_CONNECT, this::connect),
      serve(bus, ChatAddresses.PRESENCE_DISCONNECT, this::disconnect),
      serve(bus, ChatAddresses.PRESENCE_ONLINE, this::online))));
  }

  /** {"user","connection"}. */
  private Future<Boolean> connect(Message<JsonObject> request) {
    String user = request.body().getString("user");
    return presence.connect(user, request.body().getString("connection"))
      .onSuccess(changed -> publishIf(changed, user, true));
  }

  private Future<Boolean> disconnect(Message<JsonObject> request) {
    String user = request.body().getString("user");
    return presence.disconnect(user, request.body().getString("connection"))
      .onSuccess(changed -> publishIf(changed, user, false));
  }

  private Future<JsonArray> online(Message<JsonObject> request) {
    return presence.online().map(users -> new JsonArray(List.copyOf(users)));
  }

  private void publishIf(boolean changed, String user, boolean online) {
    if (changed) {
      vertx.eventBus().publish(ChatAddresses.PRESENCE, new JsonObject().put("user", user).put("online", online));
    }
  }
}
