package io.chatservice.bench;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A chat-node.jar process the benchmark starts itself, pinned to the server's core. */
final class BenchNode {

  final String name;
  final String host;
  final int port;
  private final Process process;

  private BenchNode(String name, String host, int port, Process process) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.process = process;
  }

  /** Starts a node with limits opened up for load (rates, connections) and everything else on. */
  static BenchNode start(Settings settings, String name, String host, String dbUrl, String dbUser, List<String> extra) throws Exception {
    int port = freePort(host);
    List<String> program = new ArrayList<>(List.of("-jar", settings.nodeJar().toString(),
      "--http-host", host, "--http-port", String.valueOf(port),
      "--db-url", dbUrl, "--db-user", dbUser,
      "--send-rate", "1000000", "--send-burst", "1000000",
      "--max-connections-per-user", "1000000",
      // Every simulated user registers from this one address: above the sign-up throttle.
      "--max-registrations-per-hour", "1000000",
      "--max-outbound-buffer", String.valueOf(4 * 1024 * 1024),
      "--idle-timeout", "0"));
    program.addAll(extra);
    return launch(settings, name, host, port, program);
  }

  /** Starts {@link BareBroadcast}, the bare Vert.x floor, from the benchmark's own jar, pinned like a node. */
  static BenchNode startBare(Settings settings, String name, String host) throws Exception {
    int port = freePort(host);
    String benchJar = Path.of(BenchNode.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    return launch(settings, name, host, port, List.of("-cp", benchJar, BareBroadcast.class.getName(), host, String.valueOf(port)));
  }

  private static BenchNode launch(Settings settings, String name, String host, int port, List<String> program) throws Exception {
    List<String> command = new ArrayList<>();
    if (settings.pin()) {
      command.addAll(List.of("taskset", "-c", settings.serverCpus()));
    }
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xms512m", "-Xmx" + settings.serverHeap(), "-XX:+AlwaysPreTouch"));
    // The collector the JVM itself picks for a process that sees one core (a plain java -jar under
    // taskset or a one-CPU container): at 100k deliveries/s its 4 ms young pauses against G1's 8-11 ms
    // halved p99. A --node-java-option may pick another (the JVM refuses two).
    if (settings.nodeJavaOptions().stream().noneMatch(option -> option.matches("-XX:\\+Use\\w+GC"))) {
      command.add("-XX:+UseSerialGC");
    }
    command.addAll(settings.nodeJavaOptions());
    command.addAll(program);
    Path log = settings.workDir().resolve(name + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
      .directory(settings.workDir().toFile()).start();
    BenchNode node = new BenchNode(name, host, port, process);
    node.awaitReady(log);
    return node;
  }

  long pid() {
    return process.pid();
  }

  String baseUrl() {
    return "http://" + host + ":" + port;
  }

  private void awaitReady(Path log) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited: " + Files.readString(log));
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create(baseUrl() + "/health/ready").toURL().openConnection();
        connection.setConnectTimeout(500);
        if (connection.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready in 90 s");
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      kill();
    }
  }

  /** Runs jcmd against the node (GC.run, GC.class_histogram) and returns what it printed. */
  String jcmd(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid())));
    args.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(jcmd.getInputStream().readAllBytes());
    jcmd.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }
}
