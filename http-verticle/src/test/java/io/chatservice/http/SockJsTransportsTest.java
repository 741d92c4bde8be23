package io.chatservice.http;

import io.chatservice.http.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge through each SockJS transport a browser may fall back to, driven
 * by the official npm clients (@vertx/eventbus-bridge-client.js on
 * sockjs-client) in Node: src/test/js/sockjs-transports.js. Skipped when
 * {@code node} is not on the PATH, except under CI=true, where that fails.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The SockJS bridge through every transport, with the official npm clients in Node")
class SockJsTransportsTest {

  /** Surefire runs in the module directory (user.dir); an IDE may run in the project's. */
  private static final Path MODULE = moduleDir(Path.of(System.getProperty("user.dir")));
  private static final Path SCRIPT = MODULE.resolve(Path.of("src", "test", "js", "sockjs-transports.js"));
  private static final Path NODE_MODULES = MODULE.resolve(Path.of("src", "main", "frontend", "node_modules"));
  /** The script gives up after 10 s by itself; this only guards against a hung Node. */
  private static final long SCRIPT_LIMIT_SECONDS = 20;
  private static final String USER = "alice";
  private static final String NO_NODE = "node is not on the PATH: the SockJS transport tests need Node.js (apt-get install nodejs)";

  private static Path nodeExecutable;
  private TestNode node;
  private String token;

  @BeforeAll
  static void findNode() {
    Optional<Path> found = Stream.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator))
      .filter(dir -> !dir.isBlank())
      .map(dir -> Path.of(dir, "node"))
      .filter(Files::isExecutable)
      .findFirst();
    if (found.isEmpty()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(NO_NODE + "; required under CI");
      }
      System.err.println("SKIPPED: " + NO_NODE);
      return;
    }
    nodeExecutable = found.get();
    for (String module : List.of("sockjs-client", "eventsource", "@vertx/eventbus-bridge-client.js")) {
      assertThat(NODE_MODULES.resolve(module).resolve("package.json"))
        .as("npm package %s, installed by the build's npm ci into %s", module, NODE_MODULES).isRegularFile();
    }
  }

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext testContext) {
    // Here rather than in findNode, so that each test shows up as skipped.
    Assumptions.assumeTrue(nodeExecutable != null, NO_NODE);
    TestNode.start(vertx)
      .compose(started -> {
        node = started;
        return node.registerAndLogin(USER, "password-" + USER);
      })
      .onComplete(testContext.succeeding(jwt -> {
        token = jwt;
        testContext.completeNow();
      }));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"websocket", "xhr-streaming", "xhr-polling", "eventsource"})
  @DisplayName("With only this transport allowed, the client connects through it, gets its chat.send reply and its own message on chat.room.general, and another user's address is refused with 403")
  void transport(String transport, Vertx vertx, VertxTestContext testContext) {
    String text = "via " + transport;
    vertx.executeBlocking(() -> runScript(transport), false)
      .compose(output -> node.client.get("/api/rooms/general/messages").bearerTokenAuthentication(token).send()
        .map(history -> {
          testContext.verify(() -> {
            assertThat(output.getString("requested")).isEqualTo(transport);
            assertThat(output.getString("transport")).as("the transport sockjs-client used").isEqualTo(transport);

            JsonObject reply = output.getJsonObject("reply");
            assertThat(reply.fieldNames()).as("chat.send reply %s", reply).containsExactlyInAnyOrder("id", "room", "seq", "ts");
            assertThat(reply.getString("room")).isEqualTo("general");
            assertThat(reply.getLong("seq")).as("the first message of a fresh node").isEqualTo(1L);

            JsonObject message = output.getJsonObject("message");
            assertThat(message).as("own message on chat.room.general").isEqualTo(new JsonObject()
              .put("id", reply.getLong("id")).put("room", "general").put("seq", reply.getLong("seq"))
              .put("from", USER).put("text", text).put("ts", reply.getLong("ts")));
            assertThat(output.getJsonArray("roomSeqs")).as("every seq chat.room.general delivered").isEqualTo(new JsonArray().add(1));

            JsonObject refusal = output.getJsonObject("refusal");
            assertThat(refusal.getInteger("failureCode")).as("chat.user.someoneelse refused: %s", refusal).isEqualTo(403);
            assertThat(refusal.getString("message")).startsWith("not_a_participant");
            assertThat(output.getJsonArray("unhandledErrors")).as("frames without an address")
              .containsExactly(new JsonObject().put("type", "err").put("body", "rejected"));

            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(history.bodyAsJsonArray()).as("history after the send").containsExactly(message);
          });
          return output;
        }))
      .onComplete(testContext.succeedingThenComplete());
  }

  private static Path moduleDir(Path workingDir) {
    return Files.isDirectory(workingDir.resolve(Path.of("src", "test", "js"))) ? workingDir : workingDir.resolve("http-verticle");
  }

  /** Runs the Node script to its end; its one JSON line, or a failure with what it said. */
  private JsonObject runScript(String transport) throws IOException, InterruptedException {
    Path out = Files.createTempFile("sockjs-" + transport, ".out");
    Path err = Files.createTempFile("sockjs-" + transport, ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(nodeExecutable.toString(), SCRIPT.toString(),
        "http://127.0.0.1:" + node.port, token, transport)
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
      builder.environment().put("CHAT_NODE_MODULES", NODE_MODULES.toString());
      Process process = builder.start();
      if (!process.waitFor(SCRIPT_LIMIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError("node " + SCRIPT.getFileName() + " " + transport + " still running after "
          + SCRIPT_LIMIT_SECONDS + " s; stderr: " + Files.readString(err));
      }
      String stdout = Files.readString(out).strip();
      String stderr = Files.readString(err).strip();
      if (process.exitValue() != 0) {
        throw new AssertionError("node " + SCRIPT.getFileName() + " " + transport + " exited with " + process.exitValue()
          + ": " + stderr + (stdout.isEmpty() ? "" : "; stdout: " + stdout));
      }
      return new JsonObject(stdout);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
