package io.chatservice.http.testing;

import io.chatservice.chat.persistence.DatabaseConfig;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a
 * free port on 127.0.0.1), so a test may stop and start it without touching
 * the machine's shared server. PostgreSQL refuses to run as root, so as root
 * every server command runs as the {@code postgres} OS user. Skipped with a
 * SKIPPED: line when the server binaries are missing or it cannot start,
 * except under CI=true.
 */
public final class PrivatePostgres implements AutoCloseable {

  private final Path bin;
  private final Path dir;
  private final Path data;
  public final int port;

  private PrivatePostgres(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
  }

  /** initdb and start; aborts the test (or fails it under CI) when that is not possible here. */
  public static PrivatePostgres start() {
    Optional<Path> bin = serverBinaries();
    if (bin.isEmpty()) {
      skip("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or pg_config --bindir", null);
    }
    PrivatePostgres server = null;
    try {
      Path dir = Files.createTempDirectory("chat-pg-");
      // The postgres user must reach the directory and write the data and socket directory there.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      server = new PrivatePostgres(bin.get(), dir, freePort());
      server.run(60, "initdb", "-D", server.data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8");
      server.startServer();
      return server;
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.close();
      }
      skip("could not start a private PostgreSQL: " + e.getMessage(), e);
      throw new AssertionError("unreachable");
    }
  }

  public DatabaseConfig database() {
    return new DatabaseConfig("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "", 4);
  }

  /** pg_ctl start, waiting until the server accepts connections. */
  public void startServer() {
    run(60, "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
      "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
  }

  /** pg_ctl stop with a shutdown mode: "immediate" (no goodbye to clients, like a crash) or "fast". */
  public void stopServer(String mode) {
    run(60, "pg_ctl", "-D", data.toString(), "-m", mode, "-w", "-t", "60", "stop");
  }

  @Override
  public void close() {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        stopServer("immediate");
      }
    } catch (RuntimeException e) {
      System.err.println("private PostgreSQL did not stop: " + e.getMessage());
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not remove " + dir + ": " + e);
    }
  }

  private void run(int timeoutSeconds, String program, String... args) {
    List<String> command = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.add(bin.resolve(program).toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(program + ".out").toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(program + " did not finish within " + timeoutSeconds + " s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
          + Files.readString(dir.resolve(program + ".out")).strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException(program + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(program + " interrupted", e);
    }
  }

  private static Optional<Path> serverBinaries() {
    List<Path> candidates = new ArrayList<>();
    try {
      Process pgConfig = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(pgConfig.getInputStream().readAllBytes()).strip();
      if (pgConfig.waitFor() == 0) {
        candidates.add(Path.of(out));
      }
    } catch (IOException | InterruptedException noPgConfig) {
      // fall back to Debian's layout
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      versions.sorted(Comparator.reverseOrder()).forEach(v -> candidates.add(v.resolve("bin")));
    } catch (IOException none) {
      // no Debian packages
    }
    return candidates.stream()
      .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
      .findFirst();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void skip(String reason, Throwable cause) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(reason + ": required under CI", cause);
    }
    System.err.println("SKIPPED: " + reason);
    Assumptions.abort(reason);
  }
}
