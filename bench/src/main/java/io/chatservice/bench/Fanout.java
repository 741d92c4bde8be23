package io.chatservice.bench;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-out: N subscribers in one room over one or more nodes, one sender at a
 * fixed rate of 100-character messages. Measures deliveries/s, latency,
 * loss, duplicates and the server CPU time per delivery.
 */
final class Fanout {

  record Result(int nodes, int subscribers, int rate, double deliveriesPerSecond, double p50Ms, double p99Ms, double maxMs,
                long lost, long duplicates, double serverMicrosPerDelivery, double serverCoreLoad, double clientCoreLoad) {
  }

  private final Peers peers;
  private final List<BenchNode> nodes;
  private final List<Peers.Subscriber> subscribers = new ArrayList<>();
  private final Recorder latency = new Recorder(3);
  private final AtomicLong received = new AtomicLong();
  private WebSocket sender;
  private long ref;

  Fanout(Peers peers, List<BenchNode> nodes) {
    this.peers = peers;
    this.nodes = nodes;
  }

  /** Connects the subscribers (spread over the nodes) and the sender (on the first node). */
  void connect(int count) throws Exception {
    String token = peers.account(nodes.get(0), "subscriber").await(30, TimeUnit.SECONDS);
    String senderToken = peers.account(nodes.get(0), "sender").await(30, TimeUnit.SECONDS);
    for (int i = 0; i < count; i += 100) {
      List<Future<WebSocket>> batch = new ArrayList<>();
      for (int j = i; j < Math.min(count, i + 100); j++) {
        batch.add(peers.connect(nodes.get(j % nodes.size()), token));
      }
      for (Future<WebSocket> connected : batch) {
        Peers.Subscriber subscriber = new Peers.Subscriber(peers.vertx(), connected.await(30, TimeUnit.SECONDS), latency, received);
        subscriber.join("general", null);
        subscribers.add(subscriber);
      }
    }
    sender = peers.connect(nodes.get(0), senderToken).await(30, TimeUnit.SECONDS);
    long deadline = System.currentTimeMillis() + 60_000;
    while (subscribers.stream().anyMatch(s -> !s.joined) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
  }

  /** Sends at {@code rate} messages/s: warm-up, then a measured window, then a drain. */
  Result run(int rate, int warmupSeconds, int seconds) throws Exception {
    long timer = startSending(rate);
    Thread.sleep(warmupSeconds * 1000L);
    latency.getIntervalHistogram();
    long receivedBefore = received.get();
    long[] serverCpuBefore = nodes.stream().mapToLong(n -> Proc.cpuNanos(n.pid())).toArray();
    long clientCpuBefore = Proc.cpuNanos(Proc.self());
    long lostBefore = lost();
    long duplicatesBefore = duplicates();
    long started = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long elapsed = System.nanoTime() - started;
    long deliveries = received.get() - receivedBefore;
    long serverCpu = 0;
    for (int i = 0; i < nodes.size(); i++) {
      serverCpu += Proc.cpuNanos(nodes.get(i).pid()) - serverCpuBefore[i];
    }
    long clientCpu = Proc.cpuNanos(Proc.self()) - clientCpuBefore;
    Histogram window = latency.getIntervalHistogram();
    peers.vertx().cancelTimer(timer);
    Thread.sleep(2000);
    return new Result(nodes.size(), subscribers.size(), rate, deliveries * 1e9 / elapsed,
      window.getValueAtPercentile(50) / 1000.0, window.getValueAtPercentile(99) / 1000.0, window.getMaxValue() / 1000.0,
      lost() - lostBefore, duplicates() - duplicatesBefore,
      deliveries == 0 ? 0 : serverCpu / 1000.0 / deliveries,
      (double) serverCpu / elapsed / nodes.size(), (double) clientCpu / elapsed);
  }

  /** Every 10 ms, the messages due by then: a steady rate without one timer per message. */
  private long startSending(int rate) {
    long start = System.nanoTime();
    long[] sent = {0};
    return peers.vertx().setPeriodic(10, id -> {
      long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
      while (sent[0] < due) {
        sender.writeTextMessage(Peers.sendFrame("general", System.nanoTime(), ref++).toString());
        sent[0]++;
      }
    });
  }

  private long lost() {
    return subscribers.stream().mapToLong(s -> s.lost).sum();
  }

  private long duplicates() {
    return subscribers.stream().mapToLong(s -> s.duplicates).sum();
  }

  void close() {
    subscribers.forEach(s -> s.socket.close());
    if (sender != null) {
      sender.close();
    }
  }
}
