package io.chatservice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The benchmark: starts its own nodes (pinned to the server core), drives them
 * from this JVM (meant to run pinned to the other core), prints a table and
 * writes it as Markdown. Figures, not assertions.
 */
@Command(name = "chat-bench", mixinStandardHelpOptions = true, description = "Runs the chat service benchmarks against nodes it starts itself.")
public final class Bench implements Callable<Integer> {

  @Option(names = "--node-jar", defaultValue = "http-verticle/target/chat-node.jar", description = "The node to benchmark (default: ${DEFAULT-VALUE}).")
  Path nodeJar;

  @Option(names = "--scenarios", split = ",", defaultValue = "fanout,fanout-steps,fanout-2-nodes,fanout-bare,connections,reconnect,persist",
    description = "Which to run (default: ${DEFAULT-VALUE}).")
  List<String> scenarios;

  @Option(names = "--subscribers", defaultValue = "1000")
  int subscribers;

  @Option(names = "--rate", defaultValue = "50", description = "Messages/s of the fixed-rate fan-out (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--steps", split = ",", defaultValue = "50,100,200,300,400,600,800", description = "Rates of the stepped fan-out.")
  List<Integer> steps;

  @Option(names = "--warmup", defaultValue = "120",
    description = "Seconds of load before the first measured window of a fan-out node or of persist, so the JIT has compiled the hot path (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured window per run (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--connections", defaultValue = "15000")
  int connections;

  @Option(names = "--reconnect-clients", defaultValue = "10000")
  int reconnectClients;

  @Option(names = "--persist-senders", defaultValue = "100")
  int persistSenders;

  @Option(names = "--pg-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test")
  String pgUrl;

  @Option(names = "--pg-user", defaultValue = "postgres")
  String pgUser;

  @Option(names = "--server-cpus", defaultValue = "0", description = "Cores the nodes are pinned to with taskset (default: ${DEFAULT-VALUE}).")
  String serverCpus;

  @Option(names = "--node-java-option", description = "A JVM option for every node started, e.g. a profiler agent (repeatable).")
  List<String> nodeJavaOptions = new ArrayList<>();

  @Option(names = "--no-pin", description = "Do not pin the nodes (taskset missing).")
  boolean noPin;

  @Option(names = "--out", defaultValue = "docs/benchmarks.md", description = "Markdown file the table goes to (default: ${DEFAULT-VALUE}).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Bench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("chat-bench");
    Settings settings = new Settings(nodeJar.toAbsolutePath(), work, !noPin, serverCpus, "2g", pgUrl, pgUser, nodeJavaOptions);
    // One event loop: the load generator lives on one core, as the server does.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
    Report report = new Report(machine(settings) + String.format(Locale.ROOT,
      "; measured windows of %d s, a fan-out node's first and persist's after %d s of warm-up at that load, later fan-out steps after 3 s", seconds, warmupSeconds));
    try {
      for (String scenario : scenarios) {
        System.out.println("== " + scenario);
        switch (scenario) {
          case "fanout" -> fanout(settings, vertx, report, 1, List.of(rate));
          case "fanout-steps" -> fanout(settings, vertx, report, 1, steps);
          case "fanout-2-nodes" -> fanout(settings, vertx, report, 2, List.of(rate));
          case "fanout-bare" -> fanout(settings, vertx, report, List.of(BenchNode.startBare(settings, "fanout-bare", "127.0.0.1")),
            List.of(rate), "bare Vert.x");
          case "connections" -> report.connections(Scenarios.connections(settings, vertx, connections));
          case "reconnect" -> report.reconnect(Scenarios.reconnect(settings, vertx, reconnectClients));
          case "persist" -> report.persist(Scenarios.persist(settings, vertx, persistSenders, warmupSeconds, seconds));
          default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown scenario " + scenario);
        }
      }
    } finally {
      vertx.close();
      String table = report.markdown();
      System.out.println(table);
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, table);
      System.out.println("written to " + out.toAbsolutePath());
    }
    return 0;
  }

  /** One node or two clustered ones, on a shared H2 database. */
  private void fanout(Settings settings, Vertx vertx, Report report, int nodeCount, List<Integer> rates) throws Exception {
    fanout(settings, vertx, report, startNodes(settings, nodeCount), rates, String.valueOf(nodeCount));
  }

  private static List<BenchNode> startNodes(Settings settings, int nodeCount) throws Exception {
    String db = Scenarios.h2(settings, "fanout");
    List<BenchNode> nodes = new ArrayList<>();
    List<String> cluster = nodeCount == 1 ? List.of() : List.of("--cluster", "--cluster-members", "127.0.0.1,127.0.0.9");
    for (int i = 0; i < nodeCount; i++) {
      String host = i == 0 ? "127.0.0.1" : "127.0.0.9";
      List<String> extra = new ArrayList<>(cluster);
      if (nodeCount > 1) {
        extra.addAll(List.of("--cluster-host", host));
      }
      nodes.add(BenchNode.start(settings, "fanout-" + nodeCount + "-" + i, host, db, "", extra));
    }
    return nodes;
  }

  /** Stepped runs stop once p99 passes 250 ms or anything is lost; {@code server} names the row. */
  private void fanout(Settings settings, Vertx vertx, Report report, List<BenchNode> nodes, List<Integer> rates, String server)
    throws Exception {
    Fanout fanout = new Fanout(new Peers(vertx, 4), nodes);
    try {
      fanout.connect(subscribers);
      int warmup = warmupSeconds;
      for (int stepRate : rates) {
        // A node's first window comes after a long warm-up (a server runs for days: measure it compiled);
        // later steps only need the new rate to settle.
        Fanout.Result result = fanout.run(stepRate, warmup, seconds);
        warmup = 3;
        System.out.println(result);
        report.fanout(server, result);
        if (rates.size() > 1 && (result.p99Ms() > 250 || result.lost() > 0)) {
          break;
        }
      }
    } finally {
      fanout.close();
      for (BenchNode node : nodes) {
        node.stop();
      }
    }
  }

  private static String machine(Settings settings) throws Exception {
    String model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
      .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("unknown CPU");
    return String.format(Locale.ROOT, "%s, %d cores, Java %s, %s; nodes pinned to core %s (taskset), load generator %s; %s",
      // The machine's cores, not this pinned process's view of them.
      model, Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count(),
      System.getProperty("java.version"), Instant.now(),
      settings.pin() ? settings.serverCpus() : "(not pinned)",
      "pinned by bench/run.sh (taskset -c 1)", "database: embedded H2 for fan-out and connections, PostgreSQL for reconnect and persist");
  }
}
