package io.chatservice.http.delivery;

/** A local client connection that receives what a feed delivers; called on the edge's event loop. */
@FunctionalInterface
public interface Subscriber {
  void deliver(Delivery delivery);
}
