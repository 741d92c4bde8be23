package io.chatservice.http.ops;

import com.hazelcast.core.LifecycleEvent.LifecycleState;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Makes the other nodes see this node's event-bus consumers again after a
 * split-brain merge brought it back. The others dropped its registrations
 * from their caches when it left; after the merge Hazelcast copies its
 * entries back into vertx-hazelcast's subscription map without entry events,
 * and vertx-hazelcast's own republishing puts values that are already there,
 * which fires none either. So a consumer that lived through the partition
 * (the readiness canary, for one) stayed unreachable from the others
 * ("no handlers"), as PartitionIT found. Removing and putting each entry
 * again fires the events that refresh those caches.
 */
public final class RegistrationsAfterMerge {

  private static final Logger LOG = LoggerFactory.getLogger(RegistrationsAfterMerge.class);
  /** vertx-hazelcast's map of event-bus registrations (SubsMapHelper). */
  private static final String SUBSCRIPTIONS = "__vertx.subs";

  private RegistrationsAfterMerge() {
  }

  public static void watch(Vertx vertx, HazelcastClusterManager cluster) {
    cluster.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleState.MERGED) {
        // Racing vertx-hazelcast's own republishing is harmless: whichever goes last, the entries end up present
        // and at least one event per address has fired.
        vertx.executeBlocking(() -> announceAgain(cluster))
          .onSuccess(count -> LOG.info("Merged back into the cluster: announced {} event-bus registration(s) again", count))
          .onFailure(e -> LOG.warn("Announcing event-bus registrations after a merge failed: {}", e.toString()));
      }
    });
  }

  private static int announceAgain(HazelcastClusterManager cluster) {
    MultiMap<String, HazelcastRegistrationInfo> subscriptions = cluster.getHazelcastInstance().getMultiMap(SUBSCRIPTIONS);
    String self = cluster.getNodeId();
    int count = 0;
    for (Map.Entry<String, HazelcastRegistrationInfo> entry : subscriptions.entrySet()) {
      if (self.equals(entry.getValue().unwrap().nodeId())) {
        subscriptions.remove(entry.getKey(), entry.getValue());
        subscriptions.put(entry.getKey(), entry.getValue());
        count++;
      }
    }
    return count;
  }
}
