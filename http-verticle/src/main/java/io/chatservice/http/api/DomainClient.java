package io.chatservice.http.api;

import io.chatservice.chat.api.ChatAddresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The edge's requests to the chat domain over the event bus; nothing here
 * touches the database. Every node runs the domain, so requests stay local.
 */
public final class DomainClient {

  private static final long TIMEOUT_MS = 10_000;

  private final EventBus bus;

  public DomainClient(EventBus bus) {
    this.bus = bus;
  }

  public Future<JsonObject> object(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, options()).map(Message::body);
  }

  public Future<JsonArray> array(String address, JsonObject body) {
    return bus.<JsonArray>request(address, body, options()).map(Message::body);
  }

  /** A send on behalf of an authenticated user: the sender goes in the header, never trusted from the body. */
  public Future<JsonObject> send(String from, Object body) {
    return bus.<JsonObject>request(ChatAddresses.SEND, body, options().addHeader(ChatAddresses.FROM_HEADER, from))
      .map(Message::body);
  }

  public void notify(String address, JsonObject body) {
    bus.send(address, body, new DeliveryOptions().setLocalOnly(true));
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(TIMEOUT_MS).setLocalOnly(true);
  }
}
