package io.chatservice.http.connection;

/** One open client connection, whatever its transport. Called on the edge's event loop. */
public interface ClientConnection {

  /** Unique within this process (see {@link ConnectionIds}). */
  String id();

  String user();

  /** "sockjs", "websocket" or "sse": for limits, logs and metrics. */
  String transport();

  /** When the client last sent a frame; receive-only transports are never idle. */
  long lastActive();

  /**
   * Called by the registry every ping interval: pings or sends a keep-alive,
   * or closes a peer that stopped answering. Transports with a heartbeat of
   * their own (SockJS) do nothing, and so does a connection already closed.
   */
  default void heartbeat(long now) {
  }

  void close(CloseReason reason);
}
