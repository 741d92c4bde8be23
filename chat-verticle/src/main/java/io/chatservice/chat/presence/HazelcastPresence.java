package io.chatservice.chat.presence;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Cluster-wide presence in a Hazelcast map of connection -> user, with keys
 * "nodeId/connectionId". Each node writes only its own keys; when a member
 * leaves, the oldest survivor removes the dead node's keys and reports the
 * users who have no connection left anywhere.
 */
public final class HazelcastPresence implements Presence {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastPresence.class);
  static final String MAP = "chat.presence.connections";
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final IMap<String, String> connections;
  /** This node's connection count per user; only the owning verticle touches it. */
  private final Map<String, Integer> localCounts = new HashMap<>();
  private Vertx vertx;
  private Context context;

  public HazelcastPresence(HazelcastInstance hazelcast, String nodeId) {
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.connections = hazelcast.getMap(MAP);
  }

  @Override
  public Future<Void> start(Vertx vertx, OfflineListener listener) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String deadNode = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        if (deadNode != null) {
          context.runOnContext(v -> sweep(deadNode, listener));
        }
      }
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> connect(String user, String connectionId) {
    int before = localCounts.getOrDefault(user, 0);
    localCounts.put(user, before + 1);
    String key = key(connectionId);
    // Hazelcast calls block: run them on a worker, in order, so a connect never overtakes its disconnect.
    return vertx.executeBlocking(() -> {
      boolean onlineElsewhere = before > 0 || !connections.keySet(userIs(user)).isEmpty();
      connections.set(key, user);
      return !onlineElsewhere;
    }, true);
  }

  @Override
  public Future<Boolean> disconnect(String user, String connectionId) {
    Integer before = localCounts.get(user);
    if (before == null) {
      return Future.succeededFuture(false);
    }
    if (before == 1) {
      localCounts.remove(user);
    } else {
      localCounts.put(user, before - 1);
    }
    String key = key(connectionId);
    return vertx.executeBlocking(() -> {
      connections.delete(key);
      return before == 1 && connections.keySet(userIs(user)).isEmpty();
    }, true);
  }

  @Override
  public Future<Set<String>> online() {
    return vertx.executeBlocking(() -> Set.copyOf(new HashSet<>(connections.values())), false);
  }

  /** Only the oldest member sweeps, so each offline transition is published once. */
  private void sweep(String deadNode, OfflineListener listener) {
    if (!hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      return;
    }
    vertx.executeBlocking(() -> {
      Predicate<String, String> ofDeadNode = Predicates.like("__key", deadNode + "/%");
      Set<String> users = new HashSet<>(connections.values(ofDeadNode));
      connections.removeAll(ofDeadNode);
      Set<String> offline = new HashSet<>();
      for (String user : users) {
        if (connections.keySet(userIs(user)).isEmpty()) {
          offline.add(user);
        }
      }
      return offline;
    }, true).onComplete(done -> {
      if (done.succeeded()) {
        LOG.info("Node {} left: {} user(s) went offline", deadNode, done.result().size());
        done.result().forEach(listener::wentOffline);
      } else {
        LOG.warn("Could not clear presence of node {}: {}", deadNode, done.cause().toString());
      }
    });
  }

  private String key(String connectionId) {
    return nodeId + "/" + connectionId;
  }

  private static Predicate<String, String> userIs(String user) {
    return Predicates.equal("this", user);
  }
}
