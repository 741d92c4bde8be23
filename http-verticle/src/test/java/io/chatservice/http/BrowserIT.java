package io.chatservice.http;

import io.chatservice.chat.persistence.DatabaseConfig;
import io.chatservice.http.testing.NodeProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The web client in a real headless Chromium: src/test/browser/chat-client.test.js (playwright-core) drives
 * two people through sign-up, chat, a dm, unread counts, history, a phone-sized screen and a node restart,
 * against a real {@code chat-node.jar}. This class owns the node: when the script prints STOP it stops the
 * node with SIGTERM (answering STOPPED once it has exited), on START it starts a new one on the same database
 * and address (answering STARTED once it is ready).
 * Screenshots go to target/screenshots, node logs to target/browser-it.
 */
@DisplayName("The web client in a headless Chromium")
class BrowserIT {

  private static final Path BROWSER_TESTS = Path.of("src", "test", "browser");
  private static final String SCRIPT = "chat-client.test.js";
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final Path LOGS = Path.of("target", "browser-it");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Duration SCRIPT_LIMIT = Duration.ofSeconds(110);
  private static final Duration NODE_START_LIMIT = Duration.ofSeconds(60);
  /** Every check the script makes, in order: a check that silently went missing fails the test too. */
  private static final List<String> CHECKS = List.of(
    "the sign-in page offers sign in, registration and (on this node) guest entry",
    "alice registers, logs out and logs in again",
    "bob joins as a guest",
    "the guest option is hidden when the node refuses guests (403 guests_disabled)",
    "alice sees bob online as soon as he arrives",
    "two people chat in #general: each sees the other's messages, their own set apart",
    "an error from the server is shown: too long a message (413)",
    "alice creates #random; a long text wraps there; Shift+Enter makes a new line, Enter sends",
    "messages in #general count as unread while alice is in #random, also after a reload",
    "alice starts a dm with bob from the people list; bob gets it without a reload, reads and answers",
    "message text is rendered as text: markup stays visible, no script runs",
    "a dm message for alice while she reads #general shows as unread on the dm",
    "older history loads when scrolling up; the newest message stays in view",
    "on a phone-sized screen the conversation list is a drawer behind a menu button",
    "both switch back to #general",
    "the node restarts: both pages show the reconnect banner; bob's messages wait for the connection",
    "after the restart the messages bob wrote during and after it reach alice once each, in order",
    "the people list shows bob offline once he closes his page",
    "no Content-Security-Policy violation and no uncaught error on any page");

  @TempDir
  Path dataDir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("browser-it-watchdog"));
  private Process script;

  @AfterEach
  void tearDown() throws InterruptedException {
    watchdog.shutdownNow();
    if (script != null && script.isAlive()) {
      script.destroyForcibly();
    }
    for (NodeProcess node : nodes) {
      node.kill();
    }
  }

  @Test
  @DisplayName("Two people sign up, chat, open a dm, read unread counts and history, on desktop and phone size; after a node restart the page resumes without losing or repeating a message")
  void webClientEndToEnd() throws Exception {
    requireTools();
    installBrowserTestDependencies();
    DatabaseConfig database = new DatabaseConfig("jdbc:h2:file:" + dataDir.resolve("chat").toAbsolutePath(), "sa", "", 4);

    try (StableAddress address = new StableAddress()) {
      address.pointAt(start("browser-node-1", database));
      script = new ProcessBuilder("node", SCRIPT, address.url(), SCREENSHOTS.toAbsolutePath().toString())
        .directory(BROWSER_TESTS.toFile())
        .redirectErrorStream(true)
        .start();
      // A hung browser must not hang the build.
      Process running = script;
      watchdog.schedule(running::destroyForcibly, SCRIPT_LIMIT.toSeconds(), TimeUnit.SECONDS);

      List<String> output = new ArrayList<>();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8));
           Writer answers = new OutputStreamWriter(script.getOutputStream(), StandardCharsets.UTF_8)) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          System.out.println("[browser] " + line);
          output.add(line);
          if ("STOP".equals(line)) {
            stopNode();
            answer(answers, "STOPPED");
          } else if ("START".equals(line)) {
            address.pointAt(start("browser-node-" + (nodes.size() + 1), database));
            answer(answers, "STARTED");
          }
        }
      }
      boolean ended = script.waitFor(10, TimeUnit.SECONDS);
      String transcript = String.join("\n", output);

      assertThat(ended && script.exitValue() == 0)
        .as("the browser script ended with status 0 within %s; its output:%n%s", SCRIPT_LIMIT, transcript).isTrue();
      assertThat(output.stream().filter(l -> l.startsWith("not ok")).toList()).as("failed checks").isEmpty();
      assertThat(output.stream().filter(l -> l.startsWith("ok - ")).map(l -> l.substring(5)).toList())
        .as("checks passed, in order").isEqualTo(CHECKS);
    }
  }

  /** SIGTERM: the node tells its clients to reconnect (1012) and exits; the page stays on the proxy's address. */
  private void stopNode() throws InterruptedException {
    NodeProcess node = nodes.get(nodes.size() - 1);
    assertThat(node.stop()).as("%s exited after SIGTERM; log:%n%s", node.name, node.logTail(20)).isTrue();
  }

  private static void answer(Writer script, String line) throws IOException {
    script.write(line + "\n");
    script.flush();
  }

  private NodeProcess start(String name, DatabaseConfig database) throws InterruptedException {
    NodeProcess node = NodeProcess.startStandalone(name, "127.0.0.1", database, LOGS,
      "--guests", "--send-rate", "1000", "--send-burst", "1000");
    nodes.add(node);
    return node.awaitReady(NODE_START_LIMIT);
  }

  /** Chromium and Node.js, or a skip with the reason; under CI=true a missing tool fails instead. */
  private static void requireTools() {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(CHROMIUM)) {
      missing.add(CHROMIUM + " (apt-get install -y chromium)");
    }
    if (!runs("node", "--version") || !runs("npm", "--version")) {
      missing.add("node and npm (apt-get install -y nodejs npm)");
    }
    if (missing.isEmpty()) {
      return;
    }
    String reason = "Browser tests need " + String.join(" and ", missing);
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(reason);
    }
    System.out.println("SKIPPED: " + reason);
    Assumptions.abort(reason);
  }

  /** playwright-core from npm, pinned by package-lock.json; fetched once into src/test/browser/node_modules. */
  private static void installBrowserTestDependencies() throws IOException, InterruptedException {
    if (Files.isDirectory(BROWSER_TESTS.resolve("node_modules").resolve("playwright-core"))) {
      return;
    }
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
      .directory(BROWSER_TESTS.toFile())
      .redirectErrorStream(true)
      .start();
    String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = npm.waitFor(3, TimeUnit.MINUTES);
    assertThat(done && npm.exitValue() == 0).as("npm ci in %s:%n%s", BROWSER_TESTS, out).isTrue();
  }

  private static boolean runs(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(20, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * A fixed loopback port in front of the current node, like a load balancer: NodeProcess gives every
   * process a fresh port, but a page can only resume where it was loaded from (same origin, same cookie).
   * Each connection is piped to the node current when it was opened; the node's close ends both sides.
   */
  private static final class StableAddress implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService pipes = Executors.newCachedThreadPool(daemon("browser-it-proxy"));
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress target;

    StableAddress() throws IOException {
      server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
      pipes.execute(this::accept);
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/";
    }

    void pointAt(NodeProcess node) {
      target = new InetSocketAddress(node.host, node.port);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          pipes.execute(() -> connect(client));
        } catch (IOException closed) {
          return;
        }
      }
    }

    /** A node that is down refuses: the client sees its connection closed at once, as with a dead backend. */
    private void connect(Socket client) {
      Socket backend = new Socket();
      try {
        backend.connect(target, 2000);
      } catch (IOException down) {
        closeQuietly(client);
        closeQuietly(backend);
        return;
      }
      open.add(client);
      open.add(backend);
      pipes.execute(() -> pipe(backend, client));
      pipe(client, backend);
    }

    private void pipe(Socket from, Socket to) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException ended) {
        // either side closed
      } finally {
        closeQuietly(from);
        closeQuietly(to);
        open.remove(from);
        open.remove(to);
      }
    }

    private static void closeQuietly(Socket socket) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      open.forEach(StableAddress::closeQuietly);
      pipes.shutdownNow();
    }
  }
}
