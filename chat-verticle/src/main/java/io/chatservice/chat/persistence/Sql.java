package io.chatservice.chat.persistence;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

/**
 * Every statement runs inside a transaction. vertx-jdbc-client 5.0.10 turns
 * auto-commit off on a pooled connection after any commit or rollback
 * (JDBCTxOp sets it to false in both cases), so a statement run outside a
 * transaction on such a connection would stay uncommitted: invisible to other
 * connections and other nodes, and lost on a crash.
 */
final class Sql {

  private Sql() {
  }

  static Future<RowSet<Row>> query(Pool pool, String sql, Tuple arguments) {
    return pool.withTransaction(conn -> conn.preparedQuery(sql).execute(arguments));
  }

  static Future<RowSet<Row>> query(Pool pool, String sql) {
    return query(pool, sql, Tuple.tuple());
  }
}
