package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.AccountsApi;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.api.HttpErrors;
import io.chatservice.http.api.Responses;
import io.chatservice.http.api.RoomsApi;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.bridge.SockJsBridge;
import io.chatservice.http.delivery.Feeds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;

/** The edge: one port for the web client, the REST API, the SockJS bridge and health. */
public final class HttpVerticle extends VerticleBase {

  private final NodeConfig config;
  private final String jwtSecret;
  private HttpServer server;

  public HttpVerticle(NodeConfig config, String jwtSecret) {
    this.config = config;
    this.jwtSecret = jwtSecret;
  }

  @Override
  public Future<?> start() {
    DomainClient domain = new DomainClient(vertx.eventBus());
    TokenAuth tokens = new TokenAuth(vertx, jwtSecret);
    AccountsApi accounts = new AccountsApi(domain, tokens, config.guests());
    RoomsApi rooms = new RoomsApi(domain);
    Feeds feeds = new Feeds(vertx, domain);
    SockJsBridge bridge = new SockJsBridge(vertx, domain, feeds);

    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());

    router.get("/health/live").handler(ctx -> Responses.json(ctx, 200, Future.succeededFuture(new JsonObject().put("status", "UP"))));
    router.get("/health/ready").handler(ctx -> ready(ctx, domain));

    router.route("/api/*").handler(body);
    router.post("/api/register").handler(accounts::register);
    router.post("/api/login").handler(accounts::login);
    router.post("/api/logout").handler(accounts::logout);
    router.post("/api/guest").handler(accounts::guest);
    router.route("/api/*").handler(tokens.handler());
    router.get("/api/me").handler(accounts::me);
    router.get("/api/users").handler(accounts::users);
    router.get("/api/rooms").handler(rooms::list);
    router.post("/api/rooms").handler(rooms::create);
    router.post("/api/dms").handler(rooms::openDm);
    router.get("/api/rooms/:room/messages").handler(rooms::history);
    router.post("/api/rooms/:room/messages").handler(rooms::post);
    router.route("/api/*").handler(ctx -> HttpErrors.send(ctx, ChatError.NOT_FOUND, "No such API: " + ctx.request().path()));

    router.route("/eventbus/*").handler(tokens.handler()).subRouter(bridge.router());

    router.route().handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(HttpErrors::onFailure);
    router.errorHandler(405, HttpErrors::onFailure);

    return vertx.createHttpServer(new HttpServerOptions().setHost(config.http().host()).setPort(config.http().port()))
      .requestHandler(router)
      .listen()
      .onSuccess(listening -> server = listening);
  }

  /** The port really bound, for a node started on port 0. */
  public int actualPort() {
    return server.actualPort();
  }

  /** Ready when the chat domain answers and its database does. */
  private static void ready(RoutingContext ctx, DomainClient domain) {
    Responses.json(ctx, 200, domain.object(ChatAddresses.HEALTH, new JsonObject())
      .map(v -> new JsonObject().put("status", "UP"))
      .recover(failure -> Future.failedFuture(ChatError.UNAVAILABLE.exception("Not ready: " + failure.getMessage()))));
  }
}
