package io.chatservice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The scenarios besides fan-out: idle connections, a reconnect storm, persistence under concurrent senders. */
final class Scenarios {

  record Connections(int count, double rssKibPerConnection, double heapKibPerConnection, long rssBeforeKib, long rssAfterKib) {
  }

  record Reconnect(int clients, double secondsToResume, long lost, long duplicates, long retries, long neverResumed) {
  }

  record Persist(int senders, double ackedPerSecond, double p50Ms, double p99Ms, double maxMs) {
  }

  private Scenarios() {
  }

  static String h2(Settings settings, String name) throws Exception {
    return "jdbc:h2:file:" + Files.createTempDirectory(settings.workDir(), name).resolve("chat") + ";AUTO_SERVER=TRUE";
  }

  /** N idle authenticated /ws connections joined to a room: resident memory and live heap per connection. */
  static Connections connections(Settings settings, Vertx vertx, int count) throws Exception {
    BenchNode node = BenchNode.start(settings, "connections", "127.0.0.1", h2(settings, "connections"), "", List.of());
    try {
      Peers peers = new Peers(vertx, 4);
      String token = peers.account(node, "idle").await(30, TimeUnit.SECONDS);
      settle(node);
      long before = Proc.rssKib(node.pid());
      long heapBefore = liveHeapKib(node);
      List<WebSocket> sockets = new ArrayList<>();
      for (int i = 0; i < count; i += 250) {
        List<Future<WebSocket>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(count, i + 250); j++) {
          batch.add(peers.connect(node, token));
        }
        for (Future<WebSocket> connected : batch) {
          WebSocket socket = connected.await(60, TimeUnit.SECONDS);
          socket.writeTextMessage(new JsonObject().put("type", "join").put("room", "general").encode());
          sockets.add(socket);
        }
      }
      settle(node);
      long after = Proc.rssKib(node.pid());
      long heapAfter = liveHeapKib(node);
      sockets.forEach(WebSocket::close);
      return new Connections(count, (after - before) / (double) count, (heapAfter - heapBefore) / (double) count, before, after);
    } finally {
      node.stop();
    }
  }

  /** Clients of a killed node reconnect to the survivor with their last seq: time until all resumed, and loss. */
  static Reconnect reconnect(Settings settings, Vertx vertx, int clients) throws Exception {
    String db = postgresSchema(settings, "reconnect");
    List<String> cluster = List.of("--cluster", "--cluster-members", "127.0.0.1,127.0.0.9");
    BenchNode doomed = BenchNode.start(settings, "reconnect-a", "127.0.0.1", db, settings.pgUser(), withHost(cluster, "127.0.0.1"));
    BenchNode survivor = BenchNode.start(settings, "reconnect-b", "127.0.0.9", db, settings.pgUser(), withHost(cluster, "127.0.0.9"));
    try {
      Peers peers = new Peers(vertx, 4);
      String token = peers.account(doomed, "storm").await(30, TimeUnit.SECONDS);
      Recorder unused = new Recorder(3);
      AtomicLong received = new AtomicLong();
      List<Peers.Subscriber> before = new ArrayList<>();
      for (int i = 0; i < clients; i += 250) {
        List<Future<WebSocket>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(clients, i + 250); j++) {
          batch.add(peers.connect(doomed, token));
        }
        for (Future<WebSocket> connected : batch) {
          Peers.Subscriber subscriber = new Peers.Subscriber(peers.vertx(), connected.await(60, TimeUnit.SECONDS), unused, received);
          subscriber.join("general", null);
          before.add(subscriber);
        }
      }
      WebSocket sender = peers.connect(survivor, token).await(30, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        sender.writeTextMessage(Peers.sendFrame("general", System.nanoTime(), i).toString());
      }
      Thread.sleep(2000);
      doomed.kill();
      long killedAt = System.nanoTime();
      // Messages keep coming while the clients come back.
      for (int i = 20; i < 40; i++) {
        sender.writeTextMessage(Peers.sendFrame("general", System.nanoTime(), i).toString());
      }
      List<Peers.Subscriber> resumed = new ArrayList<>();
      for (int i = 0; i < before.size(); i += 250) {
        List<Future<WebSocket>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(before.size(), i + 250); j++) {
          batch.add(peers.connect(survivor, token));
        }
        for (int j = 0; j < batch.size(); j++) {
          Peers.Subscriber subscriber = new Peers.Subscriber(peers.vertx(), batch.get(j).await(60, TimeUnit.SECONDS), unused, received);
          subscriber.join("general", Math.max(0, before.get(i + j).lastSeq));
          resumed.add(subscriber);
        }
      }
      long deadline = System.currentTimeMillis() + 120_000;
      while (resumed.stream().anyMatch(s -> !s.joined) && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      long notJoined = resumed.stream().filter(s -> !s.joined).count();
      long retries = resumed.stream().mapToLong(s -> s.retries).sum();
      if (notJoined > 0 || retries > 0) {
        System.out.printf("reconnect: %d of %d clients never resumed; %d joins refused as retryable and sent again, e.g. %s%n",
          notJoined, resumed.size(), retries, resumed.stream().filter(s -> s.lastError != null).map(s -> s.lastError).findFirst().orElse("-"));
      }
      long allJoined = resumed.stream().mapToLong(s -> s.joinedAt).max().orElse(killedAt);
      Thread.sleep(2000);
      long expectedLast = 40;
      long lost = 0;
      long duplicates = 0;
      for (Peers.Subscriber s : resumed) {
        lost += s.lost + Math.max(0, expectedLast - s.lastSeq);
        duplicates += s.duplicates;
      }
      for (Peers.Subscriber s : before) {
        lost += s.lost;
      }
      resumed.forEach(s -> s.socket.close());
      return new Reconnect(clients, (allJoined - killedAt) / 1e9, lost, duplicates, retries, notJoined);
    } finally {
      doomed.kill();
      survivor.stop();
    }
  }

  /** Concurrent senders, each sending its next message when the last one is acknowledged (stored). */
  static Persist persist(Settings settings, Vertx vertx, int senders, int warmupSeconds, int seconds) throws Exception {
    BenchNode node = BenchNode.start(settings, "persist", "127.0.0.1", postgresSchema(settings, "persist"), settings.pgUser(), List.of("--db-pool-size", "16"));
    try {
      Peers peers = new Peers(vertx, 1);
      Recorder acks = new Recorder(3);
      AtomicLong acked = new AtomicLong();
      long[] measuring = {0};
      List<WebSocket> sockets = new ArrayList<>();
      for (int i = 0; i < senders; i++) {
        String token = peers.account(node, "writer" + i).await(30, TimeUnit.SECONDS);
        WebSocket socket = peers.connect(node, token).await(30, TimeUnit.SECONDS);
        long[] sentAt = {0};
        socket.textMessageHandler(frame -> {
          if (frame.startsWith("{\"type\":\"ack\"")) {
            if (measuring[0] == 1) {
              acked.incrementAndGet();
              acks.recordValue((System.nanoTime() - sentAt[0]) / 1000);
            }
            sentAt[0] = System.nanoTime();
            socket.writeTextMessage(Peers.sendFrame("general", sentAt[0], 0).toString());
          }
        });
        sockets.add(socket);
        sentAt[0] = System.nanoTime();
        socket.writeTextMessage(Peers.sendFrame("general", sentAt[0], 0).toString());
      }
      // Every sender is sending by now; measure once the node has compiled its hot path.
      Thread.sleep(warmupSeconds * 1000L);
      acks.getIntervalHistogram();
      measuring[0] = 1;
      long started = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long elapsed = System.nanoTime() - started;
      measuring[0] = 0;
      long count = acked.get();
      Histogram window = acks.getIntervalHistogram();
      sockets.forEach(WebSocket::close);
      return new Persist(senders, count * 1e9 / elapsed, window.getValueAtPercentile(50) / 1000.0,
        window.getValueAtPercentile(99) / 1000.0, window.getMaxValue() / 1000.0);
    } finally {
      node.stop();
    }
  }

  private static List<String> withHost(List<String> cluster, String host) {
    List<String> args = new ArrayList<>(cluster);
    args.addAll(List.of("--cluster-host", host));
    return args;
  }

  /** A fresh schema in the configured PostgreSQL, so runs never see each other's rows. */
  static String postgresSchema(Settings settings, String name) throws Exception {
    String schema = "bench_" + name + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    try (var connection = java.sql.DriverManager.getConnection(settings.pgUrl(), settings.pgUser(), "");
         var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    return settings.pgUrl() + (settings.pgUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Lets the node finish what a burst of work left (JIT, GC) before a memory reading. */
  private static void settle(BenchNode node) throws Exception {
    node.jcmd("GC.run");
    Thread.sleep(2000);
  }

  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  /** The live set: the class histogram's total, which jcmd takes after a full GC, whatever the collector. */
  private static long liveHeapKib(BenchNode node) throws Exception {
    Matcher matcher = TOTAL.matcher(node.jcmd("GC.class_histogram"));
    return matcher.find() ? Long.parseLong(matcher.group(1)) / 1024 : -1;
  }
}
