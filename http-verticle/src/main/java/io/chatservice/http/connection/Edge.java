package io.chatservice.http.connection;

import io.chatservice.http.NodeConfig.LimitsConfig;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.delivery.Feeds;
import io.vertx.core.Vertx;

/** What every transport of one edge verticle shares: its feeds, send gate, connections and limits. */
public record Edge(Vertx vertx, DomainClient domain, Feeds feeds, SendGate sends, ConnectionRegistry connections, LimitsConfig limits) {
}
