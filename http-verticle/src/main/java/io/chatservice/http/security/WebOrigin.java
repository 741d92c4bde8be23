package io.chatservice.http.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * A web origin, {@code scheme://host[:port]}, compared as browsers compare
 * them: scheme and host case-insensitively, the scheme's default port
 * implied. IPv6 hosts are kept without brackets.
 */
public record WebOrigin(String scheme, String host, int port) {

  /** An Origin header value, a configured origin or a Referer URL; empty for "null", other schemes and garbage. */
  public static Optional<WebOrigin> parse(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(value.trim());
      return of(uri.getScheme(), uri.getHost(), uri.getPort());
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }

  /** From parts; {@code port} -1 means the scheme's default. */
  public static Optional<WebOrigin> of(String scheme, String host, int port) {
    if (scheme == null || host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String normalScheme = scheme.toLowerCase(Locale.ROOT);
    int defaultPort = switch (normalScheme) {
      case "http" -> 80;
      case "https" -> 443;
      default -> -1;
    };
    if (defaultPort < 0) {
      return Optional.empty();
    }
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return Optional.of(new WebOrigin(normalScheme, bare.toLowerCase(Locale.ROOT), port < 0 ? defaultPort : port));
  }

  /** Whether a configured value is exactly an origin: no path, query, fragment or user info. */
  public static boolean isPlainOrigin(String value) {
    try {
      URI uri = new URI(value.trim());
      boolean noPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
      return noPath && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null
        && parse(value).isPresent();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    String printedHost = host.contains(":") ? "[" + host + "]" : host;
    return scheme + "://" + printedHost + ":" + port;
  }
}
