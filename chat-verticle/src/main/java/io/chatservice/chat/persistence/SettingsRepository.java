package io.chatservice.chat.persistence;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.function.Supplier;

/** Node-independent settings kept in the database, such as the shared JWT secret. */
public final class SettingsRepository {

  private final Pool pool;

  public SettingsRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * The stored value, or the supplied one stored now. When two nodes race,
   * the loser's insert fails on the key and it reads the winner's value.
   */
  public Future<String> getOrCreate(String key, Supplier<String> initial) {
    return find(key).compose(existing -> existing != null
      ? Future.succeededFuture(existing)
      : Sql.query(pool, "INSERT INTO settings (setting_key, setting_value) VALUES (?, ?)", Tuple.of(key, initial.get()))
        .recover(failure -> Database.isUniqueViolation(failure) ? Future.succeededFuture() : Future.failedFuture(failure))
        .compose(v -> find(key)));
  }

  private Future<String> find(String key) {
    return Sql.query(pool, "SELECT setting_value FROM settings WHERE setting_key = ?", Tuple.of(key))
      .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
  }
}
