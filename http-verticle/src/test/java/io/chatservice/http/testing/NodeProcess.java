package io.chatservice.http.testing;

import io.chatservice.chat.persistence.DatabaseConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
    return launch(name, host, database, logDir, List.of(), options);
  }

  /**
   * Any node: {@code jvmOptions} go before {@code -jar} (e.g. {@code -Djdk.net.hosts.file=...}), {@code options}
   * after the HTTP and database options this fixture always passes (e.g. {@code --cluster --k8s-service ...});
   * returns without waiting.
   */
  public static NodeProcess launch(String name, String host, DatabaseConfig database, Path logDir, List<String> jvmOptions,
                                   List<String> options) {
    try {
      return launch(name, List.of(), host, freePort(host), database, logDir, jvmOptions, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Like {@link #launch(String, String, DatabaseConfig, Path, List, List)}, the command run through {@code wrapper}
   * (e.g. {@code ip netns exec <ns>}) and on a given HTTP port: a free port found from here says nothing
   * about another network namespace.
   */
  public static NodeProcess launch(String name, List<String> wrapper, String host, int port, DatabaseConfig database, Path logDir,
                                   List<String> jvmOptions, List<String> options) {
    Path jar = Path.of(System.getProperty("chat.node.jar", "target/chat-node.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: run mvn package first");
    }
    try {
      List<String> command = new ArrayList<>(wrapper);
      command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      command.addAll(jvmOptions);
      command.addAll(List.of("-jar", jar.toAbsolutePath().toString(),
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

  /** One HTTP/1.1 request to this node, JSON body (or none), with a Bearer token (or none); 10 s timeout. */
  public HttpResponse<String> call(String method, String path, String token, JsonObject body) throws IOException, InterruptedException {
    return call(method, path, token, body, Duration.ofSeconds(10));
  }

  /** Like {@link #call(String, String, String, JsonObject)} with its own timeout, e.g. to tell a slow answer from a hang. */
  public HttpResponse<String> call(String method, String path, String token, JsonObject body, Duration timeout)
    throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(timeout)
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()))
      .header("content-type", "application/json");
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Registers {@code user} (password "password-" + user) on this node and logs in; returns the token. */
  public String registerAndLogin(String user) throws IOException, InterruptedException {
    JsonObject credentials = new JsonObject().put("username", user).put("password", "password-" + user);
    HttpResponse<String> registered = call("POST", "/api/register", null, credentials);
    HttpResponse<String> login = registered.statusCode() == 201 ? call("POST", "/api/login", null, credentials) : registered;
    if (login.statusCode() != 200) {
      throw new AssertionError("register and log in " + user + " on " + name + ": " + login.statusCode() + " " + login.body());
    }
    return new JsonObject(login.body()).getString("token");
  }

  /** A room's whole history, page by page, in seq order. */
  public List<JsonObject> history(String room, String token) throws IOException, InterruptedException {
    List<JsonObject> all = new ArrayList<>();
    while (true) {
      long after = all.isEmpty() ? 0 : all.get(all.size() - 1).getLong("seq");
      HttpResponse<String> page = call("GET", "/api/rooms/" + room + "/messages?limit=200&after=" + after, token, null);
      if (page.statusCode() != 200) {
        throw new AssertionError("history of " + room + " on " + name + ": " + page.statusCode() + " " + page.body());
      }
      JsonArray messages = new JsonArray(page.body());
      if (messages.isEmpty()) {
        return all;
      }
      messages.forEach(m -> all.add((JsonObject) m));
    }
  }

  /** GET /health/ready as JSON plus the HTTP status as "httpStatus" (0 and "error" when the node does not answer). */
  public JsonObject readiness() throws InterruptedException {
    try {
      HttpResponse<String> response = call("GET", "/health/ready", null, null);
      JsonObject body = response.body().isBlank() ? new JsonObject() : new JsonObject(response.body());
      return body.put("httpStatus", response.statusCode());
    } catch (IOException | RuntimeException e) {
      return new JsonObject().put("httpStatus", 0).put("error", e.toString());
    }
  }

  /** A readiness check by id ("cluster", "event-bus", ...), or an empty object. */
  public static JsonObject check(JsonObject readiness, String id) {
    return readiness.getJsonArray("checks", new JsonArray()).stream().map(JsonObject.class::cast)
      .filter(c -> id.equals(c.getString("id"))).findFirst().orElse(new JsonObject());
  }

  /** The cluster members a readiness answer reports; -1 when it reports none. */
  public static int clusterMembers(JsonObject readiness) {
    JsonObject data = check(readiness, "cluster").getJsonObject("data");
    return data == null ? -1 : data.getInteger("members", -1);
  }

  /** Polls readiness until it is 200 with {@code expected} cluster members; fails with the last answer and the log's tail. */
  public NodeProcess awaitClusterMembers(int expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject last = readiness();
    while (last.getInteger("httpStatus") != 200 || clusterMembers(last) != expected) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IllegalStateException(name + " did not report " + expected + " cluster members within " + timeout
          + "; last /health/ready: " + last + "\n" + logTail(40));
      }
      Thread.sleep(250);
      last = readiness();
    }
    return this;
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

  public long pid() {
    return process.pid();
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
