package io.chatservice.chat.persistence;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Hands vertx-jdbc-client connections that survive a database restart.
 * JDBCPool 5.0.10 keeps a pooled JDBC connection forever: its
 * {@code ConnectionImpl.isValid()} is always true and it never tells the pool
 * that the socket died, so after a database outage every pooled connection
 * fails with "This connection has been closed" until the node restarts. Each
 * connection given out here is a handle that, when its physical connection
 * has been closed (by the driver, after an I/O error), opens a new one at the
 * next transaction boundary: {@code setAutoCommit}, which vertx-jdbc-client
 * calls at every begin, commit and rollback, and every statement here runs in
 * a transaction (see {@link Sql}). Never in the middle of a transaction, where
 * a new connection would run the rest of it without the start. A connection
 * idle for a while is validated there first, since it may have lost its server
 * without noticing. A broken connection's transaction is already gone, so a
 * rollback on it is dropped.
 */
final class ReconnectingDataSource implements DataSource {

  private static final long IDLE_BEFORE_VALIDATION_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int VALIDATION_TIMEOUT_SECONDS = 2;

  private final String url;
  private final Properties properties;

  ReconnectingDataSource(String url, Properties properties) {
    this.url = url;
    this.properties = properties;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Handle handle = new Handle(DriverManager.getConnection(url, properties));
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handle);
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("credentials are fixed at construction");
  }

  private final class Handle implements InvocationHandler {
    private Connection physical;
    private boolean closed;
    private long lastUsed = System.nanoTime();

    /** A connection left idle may have lost its server without knowing: check it before a transaction. */
    private boolean idleTooLong() {
      return System.nanoTime() - lastUsed > IDLE_BEFORE_VALIDATION_NANOS;
    }

    Handle(Connection physical) {
      this.physical = physical;
    }

    @Override
    public synchronized Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close" -> {
          closed = true;
          physical.close();
          return null;
        }
        case "isClosed" -> {
          return closed;
        }
        case "rollback" -> {
          if (physical.isClosed()) {
            return null;
          }
        }
        case "setAutoCommit" -> {
          if (!closed && (physical.isClosed() || idleTooLong() && !physical.isValid(VALIDATION_TIMEOUT_SECONDS))) {
            physical.close();
            physical = DriverManager.getConnection(url, properties);
          }
        }
        default -> {
          // the driver answers, or fails on a closed connection with SQLState 08003
        }
      }
      lastUsed = System.nanoTime();
      try {
        return method.invoke(physical, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  @Override
  public PrintWriter getLogWriter() {
    return DriverManager.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    throw new UnsupportedOperationException("use the driver's logging");
  }

  @Override
  public void setLoginTimeout(int seconds) {
    throw new UnsupportedOperationException("set it in the connection properties");
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }
}
