package io.chatservice.http.sse;

import io.chatservice.http.connection.ClientConnection;
import io.chatservice.http.connection.CloseReason;
import io.chatservice.http.connection.ConnectionIds;
import io.chatservice.http.connection.ConnectionRegistry;
import io.chatservice.http.connection.Edge;
import io.chatservice.http.connection.OutboundBudget;
import io.chatservice.http.delivery.Feeds;
import io.chatservice.http.delivery.RoomSubscription;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** One event stream: a room's messages as {@code event: message}, {@code id: <seq>}, and keep-alive comments. */
final class SseConnection implements ClientConnection {

  private final HttpServerResponse response;
  private final String user;
  private final long id = ConnectionIds.next();
  private final Feeds feeds;
  private final ConnectionRegistry registry;
  private final OutboundBudget budget;
  private RoomSubscription subscription;
  private boolean closed;

  SseConnection(HttpServerResponse response, String user, Edge edge) {
    this.response = response;
    this.user = user;
    this.feeds = edge.feeds();
    this.registry = edge.connections();
    this.budget = new OutboundBudget(edge.limits().maxOutboundBytes());
  }

  void start(String room, Long after) {
    response.closeHandler(v -> onClosed());
    if (!registry.opened(this)) {
      close(CloseReason.TOO_MANY_CONNECTIONS);
      return;
    }
    // Tells EventSource how soon to reconnect; the comment flushes the headers at once.
    write("retry: 2000\n: connected\n\n");
    feeds.room(room, after, delivery -> write(delivery.sseEvent())).onComplete(done -> {
      if (done.failed()) {
        close(CloseReason.SHUTDOWN);
      } else if (closed) {
        feeds.leave(done.result());
      } else {
        subscription = done.result();
      }
    });
  }

  /** A comment every ping interval, so proxies and the browser keep a quiet stream open. */
  @Override
  public void heartbeat(long now) {
    write(": keep-alive\n\n");
  }

  private void write(String chunk) {
    if (!closed && !budget.write(chunk.length(), () -> response.write(chunk))) {
      close(CloseReason.SLOW_CONSUMER);
    }
  }

  /** SSE has no close frame: a last "close" event says why, then the stream ends. */
  @Override
  public void close(CloseReason reason) {
    if (closed) {
      return;
    }
    registry.closing(reason);
    onClosed();
    if (reason == CloseReason.SLOW_CONSUMER) {
      // Its buffer is full, so nothing more would arrive: drop the connection.
      response.reset();
      return;
    }
    response.end("event: close\ndata: " + new JsonObject().put("code", reason.code).put("error", reason.error)
      .put("message", reason.advice).encode() + "\n\n");
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    if (subscription != null) {
      feeds.leave(subscription);
    }
    registry.closed(this);
  }

  @Override
  public String id() {
    return Long.toString(id);
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String transport() {
    return "sse";
  }

  /** Receive-only: an event stream is never idle on the client's side. */
  @Override
  public long lastActive() {
    return Long.MAX_VALUE;
  }
}
