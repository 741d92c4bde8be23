package io.chatservice.chat.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.Properties;

/** Brings the schema up to date with Flyway and opens the connection pool. */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String UNIQUE_VIOLATION = "23505";
  private static final int CONNECTION_WAIT_SECONDS = 5;

  private Database() {
  }

  /** Migrates (blocking JDBC, so on a worker thread) and then returns the pool. */
  public static Future<Pool> open(Vertx vertx, DatabaseConfig config) {
    if (config.isH2()) {
      // H2's auto-server lets other local nodes share the file; never offer it beyond loopback.
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
    return vertx.executeBlocking(() -> migrate(config), false)
      .map(v -> JDBCPool.pool(vertx, new ReconnectingDataSource(config.url(), connectionProperties(config)),
        // A request waits this long for a free connection, then fails as unavailable (503).
        new PoolOptions().setMaxSize(config.poolSize()).setConnectionTimeout(CONNECTION_WAIT_SECONDS)));
  }

  /**
   * Credentials, and for PostgreSQL bounds on every network wait, so a database
   * that vanishes without closing its sockets cannot hold a worker thread (and
   * the requests behind it) forever. Options in the URL win over these.
   */
  static Properties connectionProperties(DatabaseConfig config) {
    Properties properties = new Properties();
    properties.setProperty("user", config.user());
    properties.setProperty("password", config.password());
    if (config.url().startsWith("jdbc:postgresql:")) {
      properties.setProperty("connectTimeout", "5");
      properties.setProperty("loginTimeout", "5");
      properties.setProperty("socketTimeout", "30");
      properties.setProperty("tcpKeepAlive", "true");
    }
    return properties;
  }

  private static Void migrate(DatabaseConfig config) {
    var result = Flyway.configure()
      .dataSource(config.url(), config.user(), config.password())
      .locations("classpath:db/migration")
      .load()
      .migrate();
    LOG.info("Database {} at schema version {}", config.describe(), result.targetSchemaVersion);
    return null;
  }

  /** Succeeds only when the database answers. */
  public static Future<Void> ping(Pool pool) {
    return Sql.query(pool, "SELECT 1").mapEmpty();
  }

  /** True when a statement failed on a unique constraint (same SQLState on H2 and PostgreSQL). */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }
}
