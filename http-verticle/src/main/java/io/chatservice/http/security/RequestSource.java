package io.chatservice.http.security;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;

import java.util.Optional;

/**
 * Where a request comes from (the client's address) and where it was sent
 * (the node's own origin as the client sees it). Forwarded headers are
 * anybody's to write, so they count only when the node is told it sits behind
 * a proxy that sets them ({@code --trust-proxy}).
 */
public final class RequestSource {

  private static final String FORWARDED_FOR = "X-Forwarded-For";
  private static final String FORWARDED_PROTO = "X-Forwarded-Proto";
  private static final String FORWARDED_HOST = "X-Forwarded-Host";

  private final boolean trustProxy;

  public RequestSource(boolean trustProxy) {
    this.trustProxy = trustProxy;
  }

  /**
   * The TCP peer; behind a trusted proxy the last X-Forwarded-For entry, the
   * one that proxy added itself (entries before it are the client's to invent).
   */
  public String clientAddress(HttpServerRequest request) {
    if (trustProxy) {
      String forwarded = lastEntry(request.getHeader(FORWARDED_FOR));
      if (forwarded != null && (NetUtil.isValidIpV4Address(forwarded) || NetUtil.isValidIpV6Address(forwarded))) {
        return forwarded;
      }
    }
    SocketAddress peer = request.remoteAddress();
    return peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
  }

  /** scheme://host[:port] of the page that would be same-origin with this request, from its Host header. */
  public Optional<WebOrigin> ownOrigin(HttpServerRequest request) {
    String scheme = request.scheme();
    HostAndPort authority = request.authority();
    if (trustProxy) {
      String proto = lastEntry(request.getHeader(FORWARDED_PROTO));
      String host = lastEntry(request.getHeader(FORWARDED_HOST));
      scheme = proto != null ? proto : scheme;
      authority = host != null ? HostAndPort.parseAuthority(host, -1) : authority;
    }
    if (authority == null) {
      return Optional.empty();
    }
    return WebOrigin.of(scheme, authority.host(), authority.port());
  }

  private static String lastEntry(String header) {
    if (header == null) {
      return null;
    }
    String last = header.substring(header.lastIndexOf(',') + 1).trim();
    return last.isEmpty() ? null : last;
  }
}
