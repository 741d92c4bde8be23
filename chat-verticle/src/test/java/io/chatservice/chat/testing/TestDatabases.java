package io.chatservice.chat.testing;

import io.chatservice.chat.persistence.DatabaseConfig;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Fresh, isolated databases for tests: a private in-memory H2, or a new
 * schema in the local PostgreSQL. PostgreSQL tests are skipped, loudly, when
 * the server is not reachable, except under CI (CI=true), where they fail.
 */
public final class TestDatabases {

  public static final String POSTGRES_URL = System.getProperty("chat.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
  public static final String POSTGRES_USER = System.getProperty("chat.test.postgres.user", "postgres");
  public static final String POSTGRES_PASSWORD = System.getProperty("chat.test.postgres.password", "");

  private TestDatabases() {
  }

  public static DatabaseConfig h2() {
    return new DatabaseConfig("jdbc:h2:mem:chat-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 8);
  }

  /** A new empty schema, so parallel or repeated runs never see each other's rows. */
  public static DatabaseConfig postgres() {
    String schema = "chat_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection connection = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, POSTGRES_PASSWORD);
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      String reason = "PostgreSQL not reachable at " + POSTGRES_URL + " (" + e.getMessage() + ")";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException(reason + ": required under CI", e);
      }
      System.err.println("SKIPPED: " + reason + "; PostgreSQL tests skipped");
      Assumptions.abort(reason);
    }
    return new DatabaseConfig(POSTGRES_URL + "?currentSchema=" + schema, POSTGRES_USER, POSTGRES_PASSWORD, 8);
  }
}
