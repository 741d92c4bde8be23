package io.chatservice.chat.persistence;

import io.chatservice.chat.api.ChatMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Messages: appended in seq order, read back as history. */
public final class MessageRepository {

  /** A message accepted for a room but not stored yet. */
  public record Draft(String from, String text, long ts) {
  }

  private static final String COLUMNS = "SELECT id, seq, sender, body, ts FROM messages ";
  /**
   * PostgreSQL's append: the counter, the rows (from arrays, so the statement
   * text never changes and stays prepared on the server) and their ids, in one
   * statement. A SELECT on top: the JDBC client reads rows back only from a query.
   */
  private static final String APPEND = "WITH counter AS (UPDATE rooms SET last_seq = last_seq + ? WHERE id = ? RETURNING last_seq), "
    + "inserted AS (INSERT INTO messages (room_id, seq, sender, body, ts) "
    + "SELECT ?, counter.last_seq - ? + m.ord, m.sender, m.body, m.ts "
    + "FROM counter, unnest(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS BIGINT[])) WITH ORDINALITY AS m(sender, body, ts, ord) "
    + "RETURNING id, seq) "
    + "SELECT id, seq FROM inserted ORDER BY seq";

  private final Pool pool;
  private final boolean postgres;

  /** PostgreSQL gets a one-statement append; other databases (H2) a statement at a time. */
  public MessageRepository(Pool pool, boolean postgres) {
    this.pool = pool;
    this.postgres = postgres;
  }

  /**
   * A batch being appended: {@code seqsTaken} completes (whatever the outcome)
   * once the batch can no longer be overtaken, i.e. its transaction holds the
   * room's counter row or has ended; {@code stored} once it is committed.
   */
  public record Appending(Future<Void> seqsTaken, Future<List<ChatMessage>> stored) {
  }

  /**
   * Stores drafts in one transaction under the next seqs of the room. The row
   * lock taken by the UPDATE serialises appenders on every node sharing the
   * database, and a rollback returns the seqs, so seq has no gaps. On
   * PostgreSQL the next batch may start as soon as this one has taken its
   * seqs: its UPDATE waits for this commit, so it overlaps the commit's round
   * trip and still gets the later seqs.
   */
  public Appending append(long roomId, String room, List<Draft> drafts) {
    if (!postgres) {
      Future<List<ChatMessage>> stored = appendStepByStep(roomId, room, drafts);
      return new Appending(stored.<Void>mapEmpty().otherwiseEmpty(), stored);
    }
    Promise<Void> seqsTaken = Promise.promise();
    Future<List<ChatMessage>> stored = appendInOneStatement(roomId, room, drafts, seqsTaken)
      .andThen(done -> seqsTaken.tryComplete());
    return new Appending(seqsTaken.future(), stored);
  }

  /**
   * PostgreSQL: counter, rows and ids in one statement, so a batch costs one
   * round trip and a commit however many messages it holds (group commit).
   */
  private Future<List<ChatMessage>> appendInOneStatement(long roomId, String room, List<Draft> drafts, Promise<Void> seqsTaken) {
    int count = drafts.size();
    String[] senders = new String[count];
    String[] texts = new String[count];
    long[] timestamps = new long[count];
    for (int i = 0; i < count; i++) {
      senders[i] = drafts.get(i).from();
      texts[i] = drafts.get(i).text();
      timestamps[i] = drafts.get(i).ts();
    }
    Tuple arguments = Tuple.of(count, roomId, roomId, count, senders, texts, timestamps);
    // Every statement in a transaction, as in Sql; written out here to signal between statement and commit.
    return pool.withTransaction(conn -> conn.preparedQuery(APPEND).execute(arguments).andThen(done -> seqsTaken.tryComplete()))
      .map(inserted -> {
        if (inserted.size() != count) {
          throw new IllegalStateException("Room " + room + " (id " + roomId + ") is gone: stored " + inserted.size() + " of " + count);
        }
        List<ChatMessage> stored = new ArrayList<>(count);
        int i = 0;
        for (Row row : inserted) {
          Draft draft = drafts.get(i++);
          stored.add(new ChatMessage(row.getLong(0), room, row.getLong(1), draft.from(), draft.text(), draft.ts()));
        }
        return stored;
      });
  }

  /** Any other database (H2): the same, a statement at a time, in one transaction. */
  private Future<List<ChatMessage>> appendStepByStep(long roomId, String room, List<Draft> drafts) {
    int count = drafts.size();
    return pool.withTransaction(conn -> conn
      .preparedQuery("UPDATE rooms SET last_seq = last_seq + ? WHERE id = ?")
      .execute(Tuple.of(count, roomId))
      .compose(v -> conn.preparedQuery("SELECT last_seq FROM rooms WHERE id = ?").execute(Tuple.of(roomId)))
      .compose(rows -> {
        long firstSeq = rows.iterator().next().getLong(0) - count + 1;
        List<Tuple> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          Draft draft = drafts.get(i);
          batch.add(Tuple.of(roomId, firstSeq + i, draft.from(), draft.text(), draft.ts()));
        }
        return conn.preparedQuery("INSERT INTO messages (room_id, seq, sender, body, ts) VALUES (?, ?, ?, ?, ?)")
          .executeBatch(batch)
          .compose(v -> conn.preparedQuery("SELECT id FROM messages WHERE room_id = ? AND seq >= ? AND seq <= ? ORDER BY seq")
            .execute(Tuple.of(roomId, firstSeq, firstSeq + count - 1)))
          .map(ids -> {
            List<ChatMessage> stored = new ArrayList<>(count);
            int i = 0;
            for (Row row : ids) {
              Draft draft = drafts.get(i);
              stored.add(new ChatMessage(row.getLong(0), room, firstSeq + i, draft.from(), draft.text(), draft.ts()));
              i++;
            }
            return stored;
          });
      }));
  }

  /** The oldest {@code limit} messages after a seq. */
  public Future<List<ChatMessage>> after(long roomId, String room, long afterSeq, int limit) {
    return Sql.query(pool, COLUMNS + "WHERE room_id = ? AND seq > ? ORDER BY seq LIMIT ?", Tuple.of(roomId, afterSeq, limit))
      .map(rows -> toMessages(room, rows));
  }

  /** The newest {@code limit} messages before a seq, in ascending order. */
  public Future<List<ChatMessage>> before(long roomId, String room, long beforeSeq, int limit) {
    return Sql.query(pool, COLUMNS + "WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?", Tuple.of(roomId, beforeSeq, limit))
      .map(rows -> {
        List<ChatMessage> newestFirst = toMessages(room, rows);
        Collections.reverse(newestFirst);
        return newestFirst;
      });
  }

  private static List<ChatMessage> toMessages(String room, RowSet<Row> rows) {
    List<ChatMessage> messages = new ArrayList<>(rows.size());
    for (Row row : rows) {
      messages.add(new ChatMessage(row.getLong(0), room, row.getLong(1), row.getString(2), row.getString(3), row.getLong(4)));
    }
    return messages;
  }
}
