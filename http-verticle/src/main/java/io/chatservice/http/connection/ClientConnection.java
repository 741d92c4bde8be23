package io.chatservice.http.connection;

/** One open client connection, whatever its transport. Called on the edge's event loop. */
public interface ClientConnection {

  String id();

  String user();

  /** "sockjs", "websocket" or "sse": for limits, logs and metrics. */
  String transport();

  /** When the client last sent a frame; receive-only transports are never idle. */
  long lastActive();

  void close(CloseReason reason);
}
