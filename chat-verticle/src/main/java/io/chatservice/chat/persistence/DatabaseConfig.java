package io.chatservice.chat.persistence;

/** Where the database is; an H2 URL selects the embedded default. */
public record DatabaseConfig(String url, String user, String password, int poolSize) {

  /** A file under ./data that several nodes on this machine can share through H2's loopback auto-server. */
  public static final String DEFAULT_URL = "jdbc:h2:file:./data/chat;AUTO_SERVER=TRUE";

  public boolean isH2() {
    return url.startsWith("jdbc:h2:");
  }

  public boolean isPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** The URL without credentials or options, safe to log. */
  public String describe() {
    int options = url.indexOf(';');
    int query = url.indexOf('?');
    int cut = options < 0 ? query : (query < 0 ? options : Math.min(options, query));
    return cut < 0 ? url : url.substring(0, cut);
  }
}
