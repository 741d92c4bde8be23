package io.chatservice.http;

import io.chatservice.chat.persistence.DatabaseConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@DisplayName("The chat-node command line")
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChatNodeCliTest {

  private static final List<String> CONTRACT_OPTIONS = List.of("--http-port", "--http-host", "--cluster", "--cluster-host",
    "--cluster-port", "--cluster-members", "--k8s-service", "--db-url", "--db-user", "--db-password", "--jwt-secret", "--guests");
  private static final String LONG_SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret";
  /** What a run answers instead of starting a node: no unit test may start one on port 8080. */
  private static final int WOULD_START = 99;

  private record Run(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  @Test
  @DisplayName("--help exits 0 and lists every option of the contract and the CHAT_ environment variables")
  void help() {
    Run run = execute("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).contains(CONTRACT_OPTIONS).contains("CHAT_", "--help");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--nope", "--http-port abc", "--http-port", "--cluster-port 5x", "--max-text-length 1.5", "general"})
  @DisplayName("An unknown or malformed option exits non-zero with exactly one line on stderr, naming it")
  void badOption(String commandLine) {
    String[] args = commandLine.split(" ");
    Run run = execute(args);
    assertThat(run.exitCode()).isNotZero().isNotEqualTo(WOULD_START);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).startsWith("chat-node: ").contains(args[args.length - 1]);
    assertThat(run.out()).isEmpty();
  }

  @Test
  @DisplayName("Each option lands in the node's configuration")
  void optionsReachTheConfig() {
    CommandLine cli = ChatNode.commandLine();
    cli.parseArgs("--http-port", "0", "--http-host", "127.0.0.2", "--cluster-host", "10.1.2.3", "--cluster-port", "5801",
      "--cluster-members", "a:5701, b", "--k8s-service", "chat.default.svc", "--db-url", "jdbc:h2:mem:cli", "--db-user", "u",
      "--db-password", "p", "--db-pool-size", "3", "--jwt-secret", LONG_SECRET, "--guests", "--max-text-length", "12");
    NodeConfig config = ((ChatNode) cli.getCommand()).toConfig();
    assertThat(config.http().host()).isEqualTo("127.0.0.2");
    assertThat(config.http().port()).isZero();
    assertThat(config.cluster().host()).isEqualTo("10.1.2.3");
    assertThat(config.cluster().port()).isEqualTo(5801);
    assertThat(config.cluster().members()).containsExactly("a:5701", "b");
    assertThat(config.cluster().k8sService()).contains("chat.default.svc");
    assertThat(config.database()).isEqualTo(new DatabaseConfig("jdbc:h2:mem:cli", "u", "p", 3));
    assertThat(config.jwtSecret()).contains(LONG_SECRET);
    assertThat(config.guests()).isTrue();
    assertThat(config.chat().textRules().maxCodePoints()).isEqualTo(12);
  }

  @Test
  @DisplayName("The security options land in the node's configuration")
  void securityOptionsReachTheConfig() {
    NodeConfig.SecurityConfig security = parse("--allowed-origins", "https://app.example.com, http://localhost:3000",
      "--trust-proxy", "--max-registrations-per-hour", "50", "--max-failed-logins-per-address", "100").security();
    assertThat(security).isEqualTo(new NodeConfig.SecurityConfig(
      List.of("https://app.example.com", "http://localhost:3000"), true, 50, 100));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"*", "evil.example", "https://app.example.com/path", "ftp://app.example.com", "null", "https://user@app.example.com"})
  @DisplayName("--allowed-origins takes only plain http(s) origins")
  void badAllowedOrigin(String origin) {
    assertThatThrownBy(() -> parse("--allowed-origins", origin)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageStartingWith("--allowed-origins: " + origin + " is not an origin");
  }

  @Test
  @DisplayName("--jwt-secret counts UTF-8 bytes: 32 are enough, 31 are refused")
  void jwtSecretLength() {
    String thirtyTwoBytes = "\u00e9".repeat(16);
    String thirtyOneBytes = "\u00e9".repeat(15) + "a";
    assertThat(parse("--jwt-secret", thirtyTwoBytes).jwtSecret()).contains(thirtyTwoBytes);
    assertThatThrownBy(() -> parse("--jwt-secret", thirtyOneBytes)).isInstanceOf(IllegalArgumentException.class)
      .hasMessageStartingWith("--jwt-secret must be at least 32 bytes (UTF-8), not 31");
  }

  @Test
  @DisplayName("A node given a short --jwt-secret (here through CHAT_JWT_SECRET) exits with status 2 and one line, before starting")
  void shortJwtSecretStopsTheNode(@TempDir Path dir) throws Exception {
    Run run = launch(dir, Map.of("CHAT_JWT_SECRET", "changeme"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(
      "chat-node: --jwt-secret must be at least 32 bytes (UTF-8), not 8; e.g. openssl rand -base64 48 (see --help)");
  }

  @Test
  @DisplayName("Without options a node is standalone on port 8080 over the embedded H2 under ./data")
  void defaults() {
    assumeTrue(System.getenv().keySet().stream().noneMatch(name -> name.startsWith(ChatNode.ENV_PREFIX)), "CHAT_ variables are set");
    CommandLine cli = ChatNode.commandLine();
    cli.parseArgs();
    NodeConfig config = ((ChatNode) cli.getCommand()).toConfig();
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.cluster().enabled()).isFalse();
    assertThat(config.cluster().port()).isEqualTo(5701);
    assertThat(config.database().url()).isEqualTo(DatabaseConfig.DEFAULT_URL).contains("./data");
    assertThat(config.jwtSecret()).isEmpty();
    assertThat(config.guests()).isFalse();
    assertThat(config.chat().textRules().maxCodePoints()).isEqualTo(4000);
    assertThat(config.security()).isEqualTo(NodeConfig.SecurityConfig.defaults());
  }

  @Test
  @DisplayName("--min-cluster-size is 1 (always serve) by default, reaches the cluster config, and above 1 needs --cluster")
  void minClusterSize() {
    CommandLine cli = ChatNode.commandLine();
    cli.parseArgs("--cluster");
    assertThat(((ChatNode) cli.getCommand()).toConfig().cluster().minSize()).isEqualTo(1);
    cli = ChatNode.commandLine();
    cli.parseArgs("--cluster", "--min-cluster-size", "2");
    assertThat(((ChatNode) cli.getCommand()).toConfig().cluster().minSize()).isEqualTo(2);
    for (String[] refused : List.of(new String[] {"--min-cluster-size", "2"}, new String[] {"--cluster", "--min-cluster-size", "0"})) {
      CommandLine refusing = ChatNode.commandLine();
      refusing.parseArgs(refused);
      assertThatThrownBy(() -> ((ChatNode) refusing.getCommand()).toConfig()).as(String.join(" ", refused))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--min-cluster-size");
    }
  }

  // The environment is read by System.getenv, so these run the real main() in a child JVM with its own environment.
  // Each run is given options that make it stop before binding anything, even if the mapping under test were broken.

  @Test
  @DisplayName("CHAT_HTTP_PORT sets --http-port: an out-of-range value from the environment is refused in one line")
  void environmentSetsAnOption(@TempDir Path dir) throws Exception {
    Run run = launch(dir, Map.of("CHAT_HTTP_PORT", "70000"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("chat-node: --http-port must be 0..65535, not 70000 (see --help)");
  }

  @Test
  @DisplayName("CHAT_MAX_TEXT_LENGTH sets --max-text-length: dashes become underscores")
  void environmentNameUsesUnderscores(@TempDir Path dir) throws Exception {
    Run run = launch(dir, Map.of("CHAT_MAX_TEXT_LENGTH", "0"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("chat-node: --max-text-length must be at least 1 (see --help)");
  }

  @Test
  @DisplayName("The command line beats the environment")
  void commandLineBeatsEnvironment(@TempDir Path dir) throws Exception {
    Run run = launch(dir, Map.of("CHAT_HTTP_PORT", "70001"), "--http-port", "70002");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly("chat-node: --http-port must be 0..65535, not 70002 (see --help)");
  }

  @Test
  @DisplayName("A malformed value in the environment is refused in one line too")
  void malformedEnvironmentValue(@TempDir Path dir) throws Exception {
    Run run = launch(dir, Map.of("CHAT_HTTP_PORT", "abc"));
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.errLines().get(0)).startsWith("chat-node: ").contains("abc");
  }

  private static NodeConfig parse(String... args) {
    CommandLine cli = ChatNode.commandLine();
    cli.parseArgs(args);
    return ((ChatNode) cli.getCommand()).toConfig();
  }

  /** Runs the command line in this JVM; anything that would start a node answers {@link #WOULD_START} instead. */
  private static Run execute(String... args) {
    CommandLine cli = ChatNode.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionStrategy(parsed -> Optional.ofNullable(CommandLine.executeHelpRequest(parsed)).orElse(WOULD_START));
    int exitCode = cli.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  /** Runs ChatNode's main in a child JVM with these environment variables added and no other CHAT_ ones. */
  private static Run launch(Path dir, Map<String, String> environment, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), ChatNode.class.getName(),
      // A safety net should the variable be ignored: loopback only, a throwaway database.
      "--http-host", "127.0.0.1", "--db-url", "jdbc:h2:mem:cli-test"));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
      .redirectOutput(out.toFile()).redirectError(err.toFile());
    // JVM option variables make the JVM itself write to stderr; they are not the subject here.
    builder.environment().keySet().removeIf(name -> name.startsWith(ChatNode.ENV_PREFIX)
      || name.equals("JAVA_TOOL_OPTIONS") || name.equals("_JAVA_OPTIONS") || name.equals("JDK_JAVA_OPTIONS"));
    builder.environment().putAll(environment);
    Process process = builder.start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("chat-node did not exit; it probably started a node. stderr: " + Files.readString(err));
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }
}
