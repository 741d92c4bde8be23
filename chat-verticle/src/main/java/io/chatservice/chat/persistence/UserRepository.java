package io.chatservice.chat.persistence;

import io.chatservice.chat.api.ChatError;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Accounts: registered users and guests, looked up by their case-insensitive key. */
public final class UserRepository {

  public record UserRecord(String username, String passwordHash, boolean guest) {
  }

  private final Pool pool;

  public UserRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> insert(String username, String key, String passwordHash, boolean guest) {
    return Sql.query(pool,
        "INSERT INTO users (username, username_key, password_hash, guest, created_at) VALUES (?, ?, ?, ?, ?)",
        Tuple.of(username, key, passwordHash, guest, System.currentTimeMillis()))
      .<Void>mapEmpty()
      .recover(failure -> Database.isUniqueViolation(failure)
        ? Future.failedFuture(ChatError.USERNAME_TAKEN.exception("Username '" + username + "' is taken"))
        : Future.failedFuture(failure));
  }

  public Future<Optional<UserRecord>> findByKey(String key) {
    return Sql.query(pool, "SELECT username, password_hash, guest FROM users WHERE username_key = ?", Tuple.of(key))
      .map(rows -> {
        var it = rows.iterator();
        if (!it.hasNext()) {
          return Optional.empty();
        }
        Row row = it.next();
        return Optional.of(new UserRecord(row.getString(0), row.getString(1), row.getBoolean(2)));
      });
  }

  public Future<List<String>> usernames() {
    return Sql.query(pool, "SELECT username FROM users ORDER BY username_key")
      .map(rows -> {
        List<String> names = new ArrayList<>(rows.size());
        rows.forEach(row -> names.add(row.getString(0)));
        return names;
      });
  }
}
