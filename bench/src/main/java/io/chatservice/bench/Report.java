package io.chatservice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures as a Markdown table, with the machine they came from. */
final class Report {

  private final String machine;
  private final List<String> fanout = new ArrayList<>();
  private final List<String> other = new ArrayList<>();

  Report(String machine) {
    this.machine = machine;
  }

  /** {@code server}: the node count, or what ran instead of the service (the bare Vert.x floor). */
  void fanout(String server, Fanout.Result r) {
    fanout.add(String.format(Locale.ROOT, "| %s | %d | %d | %,.0f | %.1f | %.1f | %.1f | %d | %d | %.2f | %.0f%% | %.0f%% |",
      server, r.subscribers(), r.rate(), r.deliveriesPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.lost(), r.duplicates(),
      r.serverMicrosPerDelivery(), r.serverCoreLoad() * 100, r.clientCoreLoad() * 100));
  }

  void connections(Scenarios.Connections c) {
    // The node's first 512 MB of heap is touched at start, so RSS shows heap only beyond it: the sum is the conservative figure.
    other.add(String.format(Locale.ROOT, "| connections | %,d idle authenticated /ws connections joined to a room | RSS +%.1f KiB per connection (%,d -> %,d KiB); live heap after full GC +%.1f KiB per connection; RSS + live heap +%.1f KiB (the heap's first 512 MB is pre-touched, so RSS alone counts heap only beyond it) |",
      c.count(), c.rssKibPerConnection(), c.rssBeforeKib(), c.rssAfterKib(), c.heapKibPerConnection(),
      c.rssKibPerConnection() + c.heapKibPerConnection()));
  }

  void reconnect(Scenarios.Reconnect r) {
    other.add(String.format(Locale.ROOT, "| reconnect storm | %,d clients of a killed node resume on the survivor with their last seq | %s %.1f s after kill -9; lost %d, duplicated %d; %d joins refused as retryable (503/429) and retried |",
      r.clients(), r.neverResumed() == 0 ? "all resumed" : (r.clients() - r.neverResumed()) + " resumed (" + r.neverResumed() + " never did)",
      r.secondsToResume(), r.lost(), r.duplicates(), r.retries()));
  }

  void persist(Scenarios.Persist p) {
    other.add(String.format(Locale.ROOT, "| persist | %d concurrent senders, PostgreSQL, each waits for its ack | %,.0f acknowledged messages/s; ack p50 %.1f ms, p99 %.1f ms, max %.1f ms |",
      p.senders(), p.ackedPerSecond(), p.p50Ms(), p.p99Ms(), p.maxMs()));
  }

  String markdown() {
    StringBuilder md = new StringBuilder("# Benchmark results\n\n").append(machine).append("\n\n");
    if (!fanout.isEmpty()) {
      md.append("## Fan-out (one room, one sender, 100-character texts)\n\n")
        .append("| nodes | subscribers | msg/s sent | deliveries/s | p50 ms | p99 ms | max ms | lost | dup | server CPU us/delivery | server core load | load-generator core load |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      fanout.forEach(line -> md.append(line).append('\n'));
      md.append('\n');
    }
    if (!other.isEmpty()) {
      md.append("## Other scenarios\n\n| scenario | setup | result |\n|---|---|---|\n");
      other.forEach(line -> md.append(line).append('\n'));
    }
    return md.toString();
  }
}
