package io.chatservice.chat.api;

import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * The stable reasons a request fails, each with its HTTP status (also the
 * event-bus failure code) and the snake_case error string clients see.
 * An event-bus failure message reads {@code "<error>: <human text>"} so any hop
 * can recover the reason without a custom codec.
 */
public enum ChatError {
  MALFORMED_BODY(400, "malformed_body"),
  UNAUTHENTICATED(401, "unauthenticated"),
  BAD_CREDENTIALS(401, "bad_credentials"),
  NOT_A_PARTICIPANT(403, "not_a_participant"),
  GUESTS_DISABLED(403, "guests_disabled"),
  FORBIDDEN_ORIGIN(403, "forbidden_origin"),
  UNKNOWN_ROOM(404, "unknown_room"),
  UNKNOWN_USER(404, "unknown_user"),
  NOT_FOUND(404, "not_found"),
  USERNAME_TAKEN(409, "username_taken"),
  ROOM_EXISTS(409, "room_exists"),
  TEXT_TOO_LONG(413, "text_too_long"),
  INVALID_USERNAME(422, "invalid_username"),
  INVALID_PASSWORD(422, "invalid_password"),
  INVALID_ROOM(422, "invalid_room"),
  INVALID_TEXT(422, "invalid_text"),
  INVALID_PARAMETER(422, "invalid_parameter"),
  RATE_LIMITED(429, "rate_limited"),
  INTERNAL(500, "internal_error"),
  UNAVAILABLE(503, "unavailable");

  private static final Set<String> POOL_WAIT_TIMEOUTS = Set.of("Timeout", "Timeout waiting for connection");

  public final int status;
  public final String code;

  ChatError(int status, String code) {
    this.status = status;
    this.code = code;
  }

  public ChatException exception(String message) {
    return new ChatException(this, message);
  }

  /** Fails an event-bus request with this reason. */
  public void fail(Message<?> request, String message) {
    request.fail(status, code + ": " + message);
  }

  /** The reason behind any failure: a {@link ChatException}, an event-bus failure or something unexpected. */
  public static ChatException of(Throwable failure) {
    if (failure instanceof ChatException chat) {
      return chat;
    }
    if (isConnectionFailure(failure)) {
      return new ChatException(UNAVAILABLE, "The database is unavailable, try again");
    }
    if (failure instanceof ReplyException reply && reply.getMessage() != null) {
      String text = reply.getMessage();
      int colon = text.indexOf(": ");
      if (colon > 0) {
        String code = text.substring(0, colon);
        for (ChatError error : values()) {
          if (error.code.equals(code)) {
            return new ChatException(error, text.substring(colon + 2));
          }
        }
      }
      if (reply.failureType() == io.vertx.core.eventbus.ReplyFailure.TIMEOUT
        || reply.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS) {
        return new ChatException(UNAVAILABLE, "The chat service did not answer, try again");
      }
    }
    return new ChatException(INTERNAL, "Internal error");
  }

  /**
   * True when the database could not be reached or the connection broke: SQLState
   * class 08 (connection exception, as H2 and PostgreSQL report it), a refused
   * socket, or the pool's wait for a free connection timing out (vertx-sql-client
   * fails it with a bare message). Retryable.
   */
  static boolean isConnectionFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
        || t instanceof SQLException sql && isUnavailableState(sql.getSQLState())
        || t instanceof ConnectException
        || POOL_WAIT_TIMEOUTS.contains(String.valueOf(t.getMessage()))) {
        return true;
      }
    }
    return false;
  }

  /** Class 08: connection exception; 57P01-57P03: the server is shutting down, crashed or still starting. */
  private static boolean isUnavailableState(String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P0"));
  }
}
