package io.chatservice.http;

import io.chatservice.chat.api.ChatAddresses;
import io.chatservice.chat.api.ChatError;
import io.chatservice.http.api.AccountsApi;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.api.HttpErrors;
import io.chatservice.http.api.QueryParams;
import io.chatservice.http.api.Responses;
import io.chatservice.http.api.RoomsApi;
import io.chatservice.http.auth.TokenAuth;
import io.chatservice.http.NodeConfig.LimitsConfig;
import io.chatservice.http.bridge.SockJsBridge;
import io.chatservice.http.connection.CloseReason;
import io.chatservice.http.connection.ConnectionRegistry;
import io.chatservice.http.connection.Edge;
import io.chatservice.http.connection.SendGate;
import io.chatservice.http.ops.ChatMeters;
import io.chatservice.http.ops.ClusterQuorum;
import io.chatservice.http.ops.NodeHealth;
import io.chatservice.http.security.LoginThrottle;
import io.chatservice.http.security.OriginGuard;
import io.chatservice.http.security.RequestSource;
import io.chatservice.http.security.SecurityHeaders;
import io.chatservice.http.socket.SocketEndpoint;
import io.chatservice.http.sse.SseEndpoint;
import io.chatservice.http.delivery.Feeds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The edge: one port for the web client, the REST API, the SockJS bridge, the
 * raw WebSocket, server-sent events and health.
 */
public final class HttpVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  /** In-flight sends get this long to finish at shutdown; the whole stop stays well inside 10 s. */
  private static final long DRAIN_MS = 3000;
  private static final long ONLINE_REFRESH_MS = 5000;
  private static final long THROTTLE_SWEEP_MS = 60_000;

  private final NodeConfig config;
  private final String jwtSecret;
  private final NodeRuntime runtime;
  private HttpServer server;
  private SendGate sends;
  private ConnectionRegistry connections;
  private ClusterQuorum quorum;
  private boolean draining;

  public HttpVerticle(NodeConfig config, String jwtSecret, NodeRuntime runtime) {
    this.config = config;
    this.jwtSecret = jwtSecret;
    this.runtime = runtime;
  }

  @Override
  public Future<?> start() {
    LimitsConfig limits = config.limits();
    DomainClient domain = new DomainClient(vertx.eventBus());
    TokenAuth tokens = new TokenAuth(vertx, jwtSecret);
    ChatMeters meters = new ChatMeters(runtime.registry());
    Feeds feeds = new Feeds(vertx, domain, meters);
    sends = new SendGate(vertx, domain, limits, meters);
    connections = new ConnectionRegistry(vertx, domain, limits, meters);
    NodeHealth health = new NodeHealth(vertx, runtime.clusterManager(), () -> draining);
    quorum = new ClusterQuorum(vertx, runtime.clusterManager(), config.cluster().minSize(), this::onQuorumChange);
    quorum.register(health.readiness());
    meters.clusterSize(() -> runtime.clustered() ? runtime.clusterManager().getNodes().size() : 1);
    vertx.setPeriodic(ONLINE_REFRESH_MS, id -> domain.array(ChatAddresses.PRESENCE_ONLINE, new JsonObject())
      .onSuccess(online -> meters.onlineUsers(online.size())));
    NodeConfig.SecurityConfig security = config.security();
    RequestSource source = new RequestSource(security.trustProxy());
    OriginGuard sameSite = new OriginGuard(security.allowedOrigins(), source);
    LoginThrottle throttle = new LoginThrottle(
      LoginThrottle.Policy.of(security.maxRegistrationsPerHour(), security.maxFailedLoginsPerAddress()));
    vertx.setPeriodic(THROTTLE_SWEEP_MS, id -> throttle.forgetIdle());
    AccountsApi accounts = new AccountsApi(domain, tokens, config.guests(), throttle, source);
    RoomsApi rooms = new RoomsApi(domain, sends);
    Edge edge = new Edge(vertx, domain, feeds, sends, connections, limits);
    SockJsBridge bridge = new SockJsBridge(edge);
    SocketEndpoint socket = new SocketEndpoint(edge);
    SseEndpoint sse = new SseEndpoint(edge);

    Router router = Router.router(vertx);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes());

    SecurityHeaders.handlers().forEach(headers -> router.route().handler(headers));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.readiness()));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(runtime.registry()));
    router.route().handler(this::refuseWhileDraining);
    router.route().handler(this::refuseInMinority);

    // Before the body is read: vertx-web's BodyHandler throws on a bad query escape at the end of a form body and never answers.
    router.route("/api/*").handler(QueryParams::refuseUndecodable);
    router.route("/api/*").handler(body);
    router.route("/api/*").method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH).method(HttpMethod.DELETE)
      .handler(sameSite);
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

    // SockJS's xhr transports post frames: bounded like any other frame.
    router.route("/eventbus/*").handler(sameSite).handler(BodyHandler.create(false).setBodyLimit(limits.maxFrameBytes()))
      .handler(tokens.handler()).subRouter(bridge.router());
    router.get("/ws").handler(sameSite).handler(tokens.handler()).handler(socket::upgrade);
    router.get("/sse").handler(sameSite).handler(tokens.handler()).handler(sse::stream);

    router.route().handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(HttpErrors::onFailure);
    // What vertx-web answers before or after every route (a bad escape in the path, no such page) is in the contract's shape too.
    router.errorHandler(400, HttpErrors::onFailure);
    router.errorHandler(404, HttpErrors::onFailure);
    router.errorHandler(405, HttpErrors::onFailure);

    return health.listen().compose(v -> vertx.createHttpServer(new HttpServerOptions()
        // Every request and socket of the edge is handled on this verticle's event loop: writes go
        // straight to the channel instead of through a cross-thread queue (one less 4 KiB queue per connection).
        .setStrictThreadMode(true)
        .setHost(config.http().host())
        .setPort(config.http().port())
        .setMaxWebSocketFrameSize(limits.maxFrameBytes())
        .setMaxWebSocketMessageSize(limits.maxFrameBytes()))
      .requestHandler(router)
      .listen())
      .onSuccess(listening -> server = listening);
  }

  /**
   * Graceful stop: not ready, no new requests or connections, sends under way
   * finish, then every client is told to reconnect elsewhere (1012), in batches.
   */
  @Override
  public Future<?> stop() {
    draining = true;
    long started = System.currentTimeMillis();
    return sends.close()
      .timeout(DRAIN_MS, TimeUnit.MILLISECONDS)
      .recover(slow -> Future.succeededFuture())
      .compose(v -> connections.closeAll(CloseReason.SHUTDOWN))
      // Lets the close frames leave before the sockets go.
      .compose(v -> vertx.timer(200))
      .compose(v -> server.close())
      .onComplete(done -> LOG.info("Edge stopped in {} ms", System.currentTimeMillis() - started));
  }

  /** The port really bound, for a node started on port 0. */
  public int actualPort() {
    return server.actualPort();
  }

  private void refuseInMinority(RoutingContext ctx) {
    if (quorum.held()) {
      ctx.next();
    } else {
      // Like a draining node: the client should move, so its keep-alive connection goes too.
      ctx.response().putHeader("Connection", "close");
      HttpErrors.send(ctx, ChatError.UNAVAILABLE, "This node sees too few cluster members to serve; use another node");
    }
  }

  /** Cut off into a minority: everyone here is told to reconnect elsewhere; back in a quorum, new clients are served again. */
  private void onQuorumChange(boolean held) {
    if (!held && !draining) {
      connections.closeAll(CloseReason.CLUSTER_MINORITY);
    }
  }

  private void refuseWhileDraining(RoutingContext ctx) {
    if (draining) {
      ctx.response().putHeader("Connection", "close");
      HttpErrors.send(ctx, ChatError.UNAVAILABLE, "This node is shutting down; use another node");
    } else {
      ctx.next();
    }
  }
}
