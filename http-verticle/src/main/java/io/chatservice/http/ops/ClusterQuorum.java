package io.chatservice.http.ops;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Whether this node sees enough cluster members to serve. A node cut off from
 * the others keeps a working database and would otherwise go on serving as a
 * cluster of one, its clients missing the majority's presence and live
 * messages; below the minimum it stops serving so they move to the majority.
 * Polled rather than driven by membership events: the member list is local
 * state, cheap to read, and a poll needs nothing re-registered when
 * Hazelcast's split-brain merge restarts this member into the other cluster.
 * While that merge runs the node already lists the others but they cannot
 * reach its event-bus consumers yet ({@link RegistrationsAfterMerge}), so it
 * counts as a quorum only once the merge is over.
 */
public final class ClusterQuorum {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterQuorum.class);
  private static final long CHECK_MS = 250;

  private final HazelcastClusterManager cluster;
  private final int minSize;
  private boolean held;
  private volatile boolean merging;

  /** {@code onChange} runs on the caller's context with the new state each time the quorum is lost or regained. */
  public ClusterQuorum(Vertx vertx, HazelcastClusterManager cluster, int minSize, Consumer<Boolean> onChange) {
    this.cluster = cluster;
    this.minSize = minSize;
    this.held = members() >= minSize;
    if (cluster != null && minSize > 1) {
      cluster.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
        switch (event.getState()) {
          case MERGING -> merging = true;
          case MERGED, MERGE_FAILED -> merging = false;
          default -> { }
        }
      });
      vertx.setPeriodic(CHECK_MS, id -> check(onChange));
    }
  }

  public boolean held() {
    return held;
  }

  /** The cluster members this node sees, itself included; 1 when standalone, 0 once the member has shut down. */
  public int members() {
    if (cluster == null) {
      return 1;
    }
    return cluster.isActive() && cluster.getHazelcastInstance().getLifecycleService().isRunning() ? cluster.getNodes().size() : 0;
  }

  /** A readiness check "quorum": KO while fewer members than the minimum are in view. */
  public void register(HealthChecks readiness) {
    readiness.register("quorum", promise -> {
      JsonObject data = new JsonObject().put("members", members()).put("required", minSize).put("merging", merging);
      promise.complete(held ? Status.OK(data) : Status.KO(data));
    });
  }

  private void check(Consumer<Boolean> onChange) {
    int members = members();
    boolean now = members >= minSize && !merging;
    if (now != held) {
      held = now;
      if (now) {
        LOG.info("Cluster quorum regained: {} members in view, {} required; serving again", members, minSize);
      } else {
        LOG.warn("Cluster quorum lost: {} member(s) in view, {} required; refusing requests and closing connections", members, minSize);
      }
      onChange.accept(now);
    }
  }
}
