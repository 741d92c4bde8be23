package io.chatservice.http.socket;

import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes an accepted /ws socket write straight to its channel, as Vert.x does
 * for the edge's HTTP connections in strict thread mode.
 *
 * <p>Why: Vert.x 5.0.10 builds an upgraded WebSocket's connection without
 * strict thread mode ({@code WebSocketConnectionImpl} calls
 * {@code super(context, chctx)}), so every socket gets a queue for writes from
 * other threads ({@code VertxConnection.InternalMessageChannel}) whose first
 * 1024-slot chunk is allocated up front: ~4.7 KB of an idle connection's
 * ~11 KB. Here the socket's {@code outboundMessageQueue} is replaced by Vert.x's
 * own {@code DirectOutboundMessageQueue}, the one strict thread mode gives.
 *
 * <p>Safe because that queue is only needed for writes from other threads, and
 * a /ws socket has none: its deliveries, acks, errors, pings and closes
 * (shutdown's included) are all made on the edge verticle's event loop, the
 * socket channel's own, as are Vert.x's pongs and close handshake. Checked for
 * every socket: on the channel's event loop, the HTTP connection it came from
 * already writing directly (the server is in strict thread mode), the channel
 * open and writable and the old queue holding nothing back, before the
 * socket's first write. Anything else leaves the socket as Vert.x made it,
 * logged once. Code that ever writes to a /ws socket from another thread (a
 * worker, another verticle) must drop this class first.
 *
 * <p>Reflection on Vert.x internals: re-check on every Vert.x upgrade, and
 * delete this class once Vert.x honours strict thread mode for WebSockets.
 * {@code DirectWebSocketWritesTest} fails when it stops taking effect.
 */
final class DirectWebSocketWrites {

  private static final Logger LOG = LoggerFactory.getLogger(DirectWebSocketWrites.class);
  private static final String WEBSOCKET_CONNECTION = "io.vertx.core.http.impl.WebSocketConnectionImpl";
  private static final String CROSS_THREAD_QUEUE = "io.vertx.core.net.impl.VertxConnection$InternalMessageChannel";
  private static final Field QUEUE;
  private static final Constructor<?> DIRECT_QUEUE;
  private static final AtomicBoolean TOLD = new AtomicBoolean();
  private static final AtomicLong SWITCHED = new AtomicLong();

  static {
    Field queue = null;
    Constructor<?> direct = null;
    try {
      queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      direct = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
        .getDeclaredConstructor(VertxConnection.class);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      queue = null;
      direct = null;
      notApplied("Vert.x internals not found: " + e);
    }
    QUEUE = queue;
    DIRECT_QUEUE = direct;
  }

  private DirectWebSocketWrites() {
  }

  /**
   * Called on the socket's event loop as soon as the WebSocket upgraded on
   * {@code upgraded} is accepted; true when it now writes straight to its channel.
   */
  static boolean apply(HttpConnection upgraded) {
    try {
      return trySwitch(upgraded);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return notApplied(e.toString());
    }
  }

  /** How many sockets this process switched: the test's evidence that it still takes effect. */
  static long switched() {
    return SWITCHED.get();
  }

  private static boolean trySwitch(HttpConnection upgraded) throws ReflectiveOperationException {
    if (QUEUE == null) {
      return notApplied("Vert.x internals not found");
    }
    if (!(upgraded instanceof ConnectionBase http)) {
      return notApplied("unexpected HTTP connection " + upgraded.getClass().getName());
    }
    Channel channel = http.channel();
    VertxHandler<?> handler = channel.pipeline().get(VertxHandler.class);
    VertxConnection socket = handler == null ? null : handler.getConnection();
    if (socket == null || !WEBSOCKET_CONNECTION.equals(socket.getClass().getName())) {
      return notApplied("no WebSocket connection on the channel");
    }
    if (!channel.eventLoop().inEventLoop()) {
      return notApplied("not called on the socket's event loop");
    }
    if (!isDirect(QUEUE.get(http))) {
      return notApplied("the HTTP server is not in strict thread mode");
    }
    Object queue = QUEUE.get(socket);
    if (isDirect(queue)) {
      once("Vert.x now makes WebSockets write directly: DirectWebSocketWrites can go");
      return true;
    }
    if (!CROSS_THREAD_QUEUE.equals(queue.getClass().getName())) {
      return notApplied("unexpected outbound queue " + queue.getClass().getName());
    }
    if (!channel.isActive() || !channel.isWritable() || socket.writeQueueFull()) {
      // Closed already, or writes waiting: nothing wrong with the workaround, this socket just keeps its queue.
      LOG.debug("WebSocket on {} keeps Vert.x's queue: closed or busy", channel);
      return false;
    }
    QUEUE.set(socket, DIRECT_QUEUE.newInstance(socket));
    SWITCHED.incrementAndGet();
    return true;
  }

  private static boolean isDirect(Object queue) {
    return queue != null && queue.getClass() == DIRECT_QUEUE.getDeclaringClass();
  }

  private static boolean notApplied(String reason) {
    once("WebSocket writes keep Vert.x's cross-thread queue (~4.7 KB a connection): " + reason);
    return false;
  }

  /** The first time at INFO, for whoever upgrades Vert.x; then at DEBUG, not once per connection. */
  private static void once(String message) {
    if (TOLD.compareAndSet(false, true)) {
      LOG.info(message);
    } else {
      LOG.debug(message);
    }
  }
}
