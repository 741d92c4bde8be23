package io.chatservice.http.connection;

import io.chatservice.chat.api.ChatError;
import io.chatservice.http.NodeConfig.LimitsConfig;
import io.chatservice.http.api.DomainClient;
import io.chatservice.http.ops.ChatMeters;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Every send from every transport passes here: the per-user rate limit, and
 * at shutdown a refusal of new sends while the ones under way finish, so
 * nothing acknowledged is lost and nothing is acknowledged late.
 */
public final class SendGate {

  private final DomainClient domain;
  private final ChatMeters meters;
  private final LimitsConfig limits;
  private final Map<String, TokenBucket> buckets = new HashMap<>();
  private int inFlight;
  private boolean closing;
  private Promise<Void> drained;

  public SendGate(Vertx vertx, DomainClient domain, LimitsConfig limits, ChatMeters meters) {
    this.domain = domain;
    this.meters = meters;
    this.limits = limits;
    vertx.setPeriodic(60_000, id -> forgetFullBuckets());
  }

  public Future<JsonObject> send(String user, Object body) {
    if (closing) {
      return Future.failedFuture(ChatError.UNAVAILABLE.exception("This node is shutting down; send again through another node"));
    }
    long now = System.currentTimeMillis();
    TokenBucket bucket = buckets.computeIfAbsent(user, u -> new TokenBucket(limits.sendRatePerSecond(), limits.sendBurst(), now));
    if (!bucket.tryTake(now)) {
      return Future.failedFuture(ChatError.RATE_LIMITED.exception(
        "Slow down: at most " + limits.sendBurst() + " messages at once and " + limits.sendRatePerSecond() + " per second"));
    }
    inFlight++;
    return domain.send(user, body).onComplete(done -> {
      inFlight--;
      if (done.succeeded()) {
        meters.received();
      }
      if (closing && inFlight == 0 && drained != null) {
        drained.tryComplete();
      }
    });
  }

  /** Refuses new sends from now on; completes once every send under way has its answer. */
  public Future<Void> close() {
    closing = true;
    drained = Promise.promise();
    if (inFlight == 0) {
      drained.complete();
    }
    return drained.future();
  }

  private void forgetFullBuckets() {
    long now = System.currentTimeMillis();
    buckets.values().removeIf(bucket -> bucket.isFull(now));
  }
}
