package io.chatservice.chat.persistence;

import io.chatservice.chat.api.ChatError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Rooms and dms: names, kinds and the last assigned seq. */
public final class RoomRepository {

  public static final String KIND_ROOM = "room";
  public static final String KIND_DM = "dm";

  public record RoomRecord(long id, String name, String kind, long lastSeq) {
    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("lastSeq", lastSeq);
    }
  }

  /** A dm looked up or made; {@code created} tells whether this call made it. */
  public record Opened(RoomRecord room, boolean created) {
  }

  private static final String COLUMNS = "SELECT id, name, kind, last_seq FROM rooms ";

  private final Pool pool;

  public RoomRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<RoomRecord>> find(String name) {
    return Sql.query(pool, COLUMNS + "WHERE name = ?", Tuple.of(name))
      .map(rows -> rows.iterator().hasNext() ? Optional.of(toRecord(rows.iterator().next())) : Optional.empty());
  }

  public Future<Long> lastSeq(long id) {
    return Sql.query(pool, "SELECT last_seq FROM rooms WHERE id = ?", Tuple.of(id))
      .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<RoomRecord> create(String name, String kind) {
    return insert(name, kind)
      .recover(failure -> Database.isUniqueViolation(failure)
        ? Future.failedFuture(ChatError.ROOM_EXISTS.exception("Room '" + name + "' exists"))
        : Future.failedFuture(failure));
  }

  /** Finds or creates; safe when several nodes open the same dm at once. */
  public Future<Opened> open(String name, String kind) {
    return find(name).compose(existing -> existing.isPresent()
      ? Future.succeededFuture(new Opened(existing.get(), false))
      : insert(name, kind).map(room -> new Opened(room, true))
        .recover(failure -> Database.isUniqueViolation(failure)
          ? find(name).map(raced -> new Opened(raced.orElseThrow(), false))
          : Future.failedFuture(failure)));
  }

  /** Every public room, and the dms of one user (dm ids contain the user key as a whole segment). */
  public Future<List<RoomRecord>> listFor(String userKey) {
    return Sql.query(pool, COLUMNS + "WHERE kind = ? OR name LIKE ? OR name LIKE ? ORDER BY kind DESC, name",
        Tuple.of(KIND_ROOM, "dm:" + escapeLike(userKey) + ":%", "dm:%:" + escapeLike(userKey)))
      .map(rows -> {
        List<RoomRecord> rooms = new ArrayList<>(rows.size());
        rows.forEach(row -> rooms.add(toRecord(row)));
        return rooms;
      });
  }

  private Future<RoomRecord> insert(String name, String kind) {
    return Sql.query(pool, "INSERT INTO rooms (name, kind, last_seq, created_at) VALUES (?, ?, 0, ?)",
        Tuple.of(name, kind, System.currentTimeMillis()))
      .compose(v -> find(name))
      .map(Optional::orElseThrow);
  }

  /** Usernames may hold '_', a LIKE wildcard; the default escape character is '\' on both databases. */
  private static String escapeLike(String value) {
    return value.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%");
  }

  private static RoomRecord toRecord(Row row) {
    return new RoomRecord(row.getLong(0), row.getString(1), row.getString(2), row.getLong(3));
  }
}
