package io.chatservice.http.api;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.chat.api.ChatMessage;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.connection.SendGate;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Rooms, dms and their messages over REST. */
public final class RoomsApi {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  private final DomainClient domain;
  private final SendGate sends;

  public RoomsApi(DomainClient domain, SendGate sends) {
    this.domain = domain;
    this.sends = sends;
  }

  public void list(RoutingContext ctx) {
    Responses.json(ctx, 200, domain.array(ChatAddresses.ROOMS_LIST, userOf(ctx)));
  }

  public void create(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    Responses.json(ctx, 201, domain.object(ChatAddresses.ROOMS_CREATE, userOf(ctx).put("name", fields.getValue("name"))));
  }

  public void openDm(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    Responses.json(ctx, 201, domain.object(ChatAddresses.DMS_OPEN, userOf(ctx).put("with", fields.getValue("with"))));
  }

  /** GET .../messages?after=&before=&limit=: ascending seq; with after the oldest after it, else the newest. */
  public void history(RoutingContext ctx) {
    JsonObject query = userOf(ctx).put("room", ctx.pathParam("room"));
    Long after = seqParam(ctx, "after");
    Long before = seqParam(ctx, "before");
    Long limit = seqParam(ctx, "limit");
    query.put("after", after).put("before", before)
      .put("limit", (int) Math.min(limit == null ? DEFAULT_LIMIT : Math.max(limit, 1), MAX_LIMIT));
    Responses.json(ctx, 200, domain.array(ChatAddresses.HISTORY, query));
  }

  /** POST .../messages with {"text"}, or a form field text or msg. */
  public void post(RoutingContext ctx) {
    JsonObject fields = RequestBodies.fields(ctx);
    Object text = fields.containsKey("text") ? fields.getValue("text") : fields.getValue("msg");
    String from = TokenAuth.username(ctx);
    JsonObject body = new JsonObject().put("room", ctx.pathParam("room")).put("text", text);
    // The receipt and what was sent make the whole stored message: no second trip to read it back.
    Responses.json(ctx, 201, sends.send(from, body).map(receipt -> new ChatMessage(receipt.getLong("id"),
      receipt.getString("room"), receipt.getLong("seq"), from, (String) text, receipt.getLong("ts")).toJson()));
  }

  private static JsonObject userOf(RoutingContext ctx) {
    return new JsonObject().put("user", TokenAuth.username(ctx));
  }

  private static Long seqParam(RoutingContext ctx, String name) {
    return QueryParams.seq(name, QueryParams.get(ctx, name));
  }
}
