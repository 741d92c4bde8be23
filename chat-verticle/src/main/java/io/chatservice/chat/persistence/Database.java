package io.chatservice.chat.persistence;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;

/** Brings the schema up to date with Flyway and opens the connection pool. */
public final class Database {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String UNIQUE_VIOLATION = "23505";

  private Database() {
  }

  /** Migrates (blocking JDBC, so on a worker thread) and then returns the pool. */
  public static Future<Pool> open(Vertx vertx, DatabaseConfig config) {
    if (config.isH2()) {
      // H2's auto-server lets other local nodes share the file; never offer it beyond loopback.
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
    return vertx.executeBlocking(() -> migrate(config), false)
      .map(v -> JDBCPool.pool(vertx,
        new JDBCConnectOptions().setJdbcUrl(config.url()).setUser(config.user()).setPassword(config.password()),
        new PoolOptions().setMaxSize(config.poolSize())));
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
