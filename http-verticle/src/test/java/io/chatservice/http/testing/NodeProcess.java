package io.chatservice.http.testing;

import io.chatservice.chat.persistence.DatabaseConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar chat-node.jar} process, clustered or standalone, on its
 * own loopback address, its output in a log file for diagnosis. {@link #kill()}
 * is kill -9; {@link #stop()} and {@link #terminate()} are SIGTERM.
 */
public final class NodeProcess {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(2)).build();

  public final String name;
  public final String host;
  public final int port;
  public final Path log;
  private final Process process;

  private NodeProcess(String name, String host, int port, Path log, Process process) {
    this.name = name;
    this.host = host;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** "127.x.y.": a random loopback prefix, so parallel runs each get their own 127.x.y.1..3 and port 5701. */
  public static String randomLoopbackPrefix() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "127." + random.nextInt(10, 251) + "." + random.nextInt(10, 251) + ".";
  }

  /** A {@code --cluster} node; starts the jar named by the system property chat.node.jar (set by failsafe); returns without waiting. */
  public static NodeProcess start(String name, String host, List<String> members, DatabaseConfig database, Path logDir) {
    return launch(name, host, database, logDir, List.of(
      "--cluster", "--cluster-host", host, "--cluster-members", String.join(",", members),
      // The scenario posts 20 messages a second per sender: above the default per-user rate.
      "--send-rate", "1000", "--send-burst", "1000"));
  }

  /** A standalone node (no cluster) on {@code host}, with further command-line options; returns without waiting. */
  public static NodeProcess startStandalone(String name, String host, DatabaseConfig database, Path logDir, String... options) {
    return launch(name, host, database, logDir, List.of(options));
  }

  private static NodeProcess launch(String name, String host, DatabaseConfig database, Path logDir, List<String> options) {
    Path jar = Path.of(System.getProperty("chat.node.jar", "target/chat-node.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: run mvn package first");
    }
    try {
      int port = freePort(host);
      List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-jar", jar.toAbsolutePath().toString(),
        "--http-host", host, "--http-port", String.valueOf(port),
        "--db-url", database.url(), "--db-user", database.user(), "--db-pool-size", "4"));
      if (!database.password().isEmpty()) {
        command.addAll(List.of("--db-password", database.password()));
      }
      command.addAll(options);
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
      return new NodeProcess(name, host, port, log, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  public URI uri(String path) {
    return URI.create("http://" + host + ":" + port + path);
  }

  /** Polls GET /health/ready until 200; fails at once, with the log's tail, if the process exits. */
  public NodeProcess awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpRequest ready = HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logTail(40));
      }
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + logTail(40));
  }

  /** kill -9: no shutdown hook, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM: the node's graceful shutdown. */
  public boolean stop() throws InterruptedException {
    process.destroy();
    return process.waitFor(15, TimeUnit.SECONDS);
  }

  /** SIGTERM without waiting, for a test that watches the shutdown as it happens. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to end; false if it is still running after the timeout. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The exit status of a process that has ended (143 for a JVM that ran its shutdown hooks after SIGTERM). */
  public int exitValue() {
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
