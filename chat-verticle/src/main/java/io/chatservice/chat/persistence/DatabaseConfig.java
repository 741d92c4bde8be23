package io.chatservice.chat.persistence;

/** Where the database is; an H2 URL selects the embedded default. */
public record DatabaseConfig(String url, String user, String password, int poolSize) {

  /** A file under ./data that several nodes on this machine can share through H2's loopback auto-server. */
  public static final String DEFAULT_URL = "jdbc:h2:file:./data/chat;AUTO_SERVER=TRUE";

  /**
   * The URL the pool connects with. H2 closes a database from its own JVM
   * shutdown hook, racing the node's graceful stop; the node closes its pool
   * itself, so H2 must not.
   */
  public String poolUrl() {
    if (isH2() && !url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
      return url + ";DB_CLOSE_ON_EXIT=FALSE";
    }
    return url;
  }

  public boolean isH2() {
    return url.startsWith("jdbc:h2:");
  }

  /** The URL without credentials or options, safe to log. */
  public String describe() {
    int options = url.indexOf(';');
    int query = url.indexOf('?');
    int cut = options < 0 ? query : (query < 0 ? options : Math.min(options, query));
    return cut < 0 ? url : url.substring(0, cut);
  }
}
