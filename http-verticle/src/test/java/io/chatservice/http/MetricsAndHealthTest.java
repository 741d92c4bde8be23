package io.chatservice.http;

import io.chatservice.http.testing.TestNode;
import io.chatservice.http.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics in Prometheus format with the service's own meters, and the health endpoints. */
@ExtendWith(VertxExtension.class)
class MetricsAndHealthTest {

  private TestNode node;
  private String token;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    TestNode.start(vertx)
      .compose(started -> {
        node = started;
        return node.registerAndLogin("metric", "password-m");
      })
      .onComplete(testContext.succeeding(t -> {
        token = t;
        testContext.completeNow();
      }));
  }

  @Test
  @DisplayName("Connections, messages in and delivered and the delivery latency show on /metrics as they happen")
  void ownMetersCount(Vertx vertx, VertxTestContext testContext) {
    scrape().compose(before -> WsTestClient.connect(vertx, node.port, token).compose(ws -> {
        ws.join("general");
        return ws.next(f -> "joined".equals(f.getString("type")))
          .compose(joined -> node.client.post("/api/rooms/general/messages").bearerTokenAuthentication(token)
            .sendJsonObject(new JsonObject().put("text", "measured")))
          .compose(posted -> ws.next(f -> "message".equals(f.getString("type"))))
          .compose(delivered -> scrape())
          .map(after -> new String[]{before, after});
      }))
      .onComplete(testContext.succeeding(scrapes -> testContext.verify(() -> {
        String before = scrapes[0];
        String after = scrapes[1];
        assertThat(value(before, "chat_connections{transport=\"websocket\"}")).isZero();
        assertThat(value(after, "chat_connections{transport=\"websocket\"}")).isEqualTo(1);
        assertThat(value(after, "chat_messages_received_total") - value(before, "chat_messages_received_total")).isEqualTo(1);
        assertThat(value(after, "chat_messages_delivered_total") - value(before, "chat_messages_delivered_total")).isGreaterThanOrEqualTo(1);
        assertThat(value(after, "chat_delivery_latency_seconds_count")).isEqualTo(1);
        assertThat(after).contains("chat_disconnects_total{reason=\"slow_consumer\"}", "chat_cluster_size 1.0", "chat_users_online");
        testContext.completeNow();
      })));
  }

  @Test
  @DisplayName("Liveness and readiness answer with the checks behind them")
  void health(VertxTestContext testContext) {
    Future.all(node.client.get("/health/live").send(), node.client.get("/health/ready").send())
      .onComplete(testContext.succeeding(both -> testContext.verify(() -> {
        var live = both.<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>resultAt(0);
        var ready = both.<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>resultAt(1);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
        assertThat(ready.bodyAsString()).contains("\"database\"", "\"accepting\"");
        testContext.completeNow();
      })));
  }

  private Future<String> scrape() {
    return node.client.get("/metrics").send().map(response -> {
      assertThat(response.getHeader("content-type")).startsWith("text/plain");
      return response.bodyAsString();
    });
  }

  /** The value of one sample line, by its exact name and labels; 0 when absent. */
  private static double value(String scrape, String sample) {
    Matcher matcher = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
    return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
  }
}
