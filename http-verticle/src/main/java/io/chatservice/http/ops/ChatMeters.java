package io.chatservice.http.ops;

import io.chatservice.http.connection.CloseReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The service's own meters, next to the Vert.x ones on /metrics: connections
 * by transport, messages in and delivered, delivery latency, online users,
 * disconnects by reason and cluster size.
 */
public final class ChatMeters {

  private final MeterRegistry registry;
  private final Counter received;
  private final Counter delivered;
  private final Timer deliveryLatency;
  private final Map<CloseReason, Counter> disconnects = new EnumMap<>(CloseReason.class);
  private final AtomicInteger onlineUsers = new AtomicInteger();

  public ChatMeters(MeterRegistry registry) {
    this.registry = registry;
    this.received = Counter.builder("chat.messages.received").description("Messages accepted and stored").register(registry);
    this.delivered = Counter.builder("chat.messages.delivered").description("Messages written to client connections").register(registry);
    this.deliveryLatency = Timer.builder("chat.delivery.latency")
      .description("From the message's server timestamp to its release to this node's connections")
      .publishPercentileHistogram()
      .minimumExpectedValue(Duration.ofMillis(1))
      .maximumExpectedValue(Duration.ofSeconds(10))
      .register(registry);
    for (CloseReason reason : CloseReason.values()) {
      disconnects.put(reason, Counter.builder("chat.disconnects").tag("reason", reason.error)
        .description("Connections the server closed, by reason").register(registry));
    }
    Gauge.builder("chat.users.online", onlineUsers, AtomicInteger::get).description("Users online anywhere in the cluster").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** One gauge per transport, read from the connection registry at scrape time. */
  public void connections(String transport, Supplier<Number> count) {
    Gauge.builder("chat.connections", count).tag("transport", transport).description("Open client connections").register(registry);
  }

  public void clusterSize(Supplier<Number> size) {
    Gauge.builder("chat.cluster.size", size).description("Members of the cluster this node sees").register(registry);
  }

  public void received() {
    received.increment();
  }

  public void delivered() {
    delivered.increment();
  }

  public void released(long messageTimestamp) {
    deliveryLatency.record(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - messageTimestamp)));
  }

  public void disconnected(CloseReason reason) {
    disconnects.get(reason).increment();
  }

  public void onlineUsers(int count) {
    onlineUsers.set(count);
  }
}
