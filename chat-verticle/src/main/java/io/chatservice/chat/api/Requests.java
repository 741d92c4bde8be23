package io.chatservice.chat.api;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Request-reply plumbing shared by the domain verticles: a handler returns a
 * Future, and its value or its {@link ChatError} becomes the reply.
 */
public final class Requests {

  private static final Logger LOG = LoggerFactory.getLogger(Requests.class);

  private Requests() {
  }

  /**
   * Registers a local consumer and returns the Future of its registration, for
   * {@code start()} to join. Every node runs the domain, so the edge asks its
   * own node: no cluster-wide registration, no hop to another node.
   */
  public static <T> Future<Void> serve(EventBus bus, String address, Function<Message<T>, Future<?>> handler) {
    MessageConsumer<T> consumer = bus.localConsumer(address, request -> {
      Future<?> result;
      try {
        result = handler.apply(request);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(done -> {
        if (done.succeeded()) {
          request.reply(done.result());
        } else {
          failed(request, done.cause());
        }
      });
    });
    return consumer.completion();
  }

  private static void failed(Message<?> request, Throwable failure) {
    ChatException reason = ChatError.of(failure);
    if (reason.error() == ChatError.INTERNAL) {
      LOG.error("Request to {} failed", request.address(), failure);
    } else if (reason.error() == ChatError.UNAVAILABLE) {
      LOG.warn("Request to {} failed: {}", request.address(), failure.toString());
    }
    reason.error().fail(request, reason.getMessage());
  }
}
