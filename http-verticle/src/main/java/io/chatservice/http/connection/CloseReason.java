package io.chatservice.http.connection;

/**
 * Why the server closes a connection: a WebSocket close code, a stable
 * reason and what the client should do. Codes 4000-4999 are ours; every
 * reason but {@link #TOO_MANY_CONNECTIONS} means "reconnect and resume from
 * the last seq you saw".
 */
public enum CloseReason {
  IDLE(4000, "idle_timeout", "nothing received for too long; reconnect when you need to"),
  SLOW_CONSUMER(4001, "slow_consumer", "you fell too far behind; reconnect and resume from your last seq"),
  TOO_MANY_CONNECTIONS(4002, "too_many_connections", "close another connection of this user first"),
  PING_TIMEOUT(4003, "ping_timeout", "no heartbeat; reconnect and resume from your last seq"),
  SHUTDOWN(1012, "service_restart", "this node is restarting; reconnect (to any node) and resume from your last seq"),
  /** Same code as a restart: to a client both mean "this node cannot serve you now, another can". */
  CLUSTER_MINORITY(1012, "service_restart", "this node lost its cluster; reconnect to another node and resume from your last seq");

  public final short code;
  public final String error;
  public final String advice;

  CloseReason(int code, String error, String advice) {
    this.code = (short) code;
    this.error = error;
    this.advice = advice;
  }

  /** The close frame's reason text; WebSocket allows 123 bytes. */
  public String text() {
    return error + ": " + advice;
  }
}
