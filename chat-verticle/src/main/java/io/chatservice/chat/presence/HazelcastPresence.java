package io.chatservice.chat.presence;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Cluster-wide presence in a Hazelcast map of user -> their connections, each
 * "nodeId/connectionId". Every change runs as an entry processor, atomically
 * on the user's entry, so two tabs opening at once on two nodes still make one
 * online transition. When a member leaves, the oldest survivor drops the dead
 * node's connections and reports the users who have none left.
 */
public final class HazelcastPresence implements Presence {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastPresence.class);
  /** user -> their connections ("nodeId/connectionId"); public for tests that wait for presence to settle. */
  public static final String MAP = "chat.presence.users";
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastInstance hazelcast;
  private final String nodeId;
  private final IMap<String, HashSet<String>> users;
  private Vertx vertx;

  public HazelcastPresence(HazelcastInstance hazelcast, String nodeId) {
    this.hazelcast = hazelcast;
    this.nodeId = nodeId;
    this.users = hazelcast.getMap(MAP);
  }

  @Override
  public Future<Void> start(Vertx vertx, OfflineListener listener) {
    this.vertx = vertx;
    Context context = vertx.getOrCreateContext();
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
    String key = nodeId + "/" + connectionId;
    // Hazelcast calls block: on a worker, in order, so a connect never overtakes its disconnect.
    return vertx.executeBlocking(() -> users.executeOnKey(user, new Connect(key)), true);
  }

  @Override
  public Future<Boolean> disconnect(String user, String connectionId) {
    String key = nodeId + "/" + connectionId;
    return vertx.executeBlocking(() -> users.executeOnKey(user, new Disconnect(key)), true);
  }

  @Override
  public Future<Set<String>> online() {
    return vertx.executeBlocking(() -> Set.copyOf(users.keySet()), false);
  }

  /** Only the oldest member sweeps, so each offline transition is published once. */
  private void sweep(String deadNode, OfflineListener listener) {
    if (!hazelcast.getCluster().getMembers().iterator().next().localMember()) {
      return;
    }
    vertx.executeBlocking(() -> users.executeOnEntries(new DropNode(deadNode + "/")), true).onComplete(done -> {
      if (done.failed()) {
        LOG.warn("Could not clear presence of node {}: {}", deadNode, done.cause().toString());
        return;
      }
      int offline = 0;
      for (Map.Entry<String, Boolean> result : done.result().entrySet()) {
        if (Boolean.TRUE.equals(result.getValue())) {
          offline++;
          listener.wentOffline(result.getKey());
        }
      }
      LOG.info("Node {} left: {} user(s) went offline", deadNode, offline);
    });
  }

  /** Adds a connection; true when the user had none anywhere. */
  static final class Connect implements EntryProcessor<String, HashSet<String>, Boolean> {
    private final String connection;

    Connect(String connection) {
      this.connection = connection;
    }

    @Override
    public Boolean process(Map.Entry<String, HashSet<String>> entry) {
      HashSet<String> connections = entry.getValue() == null ? new HashSet<>() : entry.getValue();
      boolean first = connections.isEmpty();
      connections.add(connection);
      entry.setValue(connections);
      return first;
    }
  }

  /** Removes a connection; true when it was the user's last anywhere. */
  static final class Disconnect implements EntryProcessor<String, HashSet<String>, Boolean> {
    private final String connection;

    Disconnect(String connection) {
      this.connection = connection;
    }

    @Override
    public Boolean process(Map.Entry<String, HashSet<String>> entry) {
      HashSet<String> connections = entry.getValue();
      if (connections == null || !connections.remove(connection)) {
        return false;
      }
      entry.setValue(connections.isEmpty() ? null : connections);
      return connections.isEmpty();
    }
  }

  /** Removes every connection of a dead node; true for users left with none. */
  static final class DropNode implements EntryProcessor<String, HashSet<String>, Boolean> {
    private final String prefix;

    DropNode(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Boolean process(Map.Entry<String, HashSet<String>> entry) {
      HashSet<String> connections = entry.getValue();
      if (connections == null || !connections.removeIf(c -> c.startsWith(prefix))) {
        return false;
      }
      entry.setValue(connections.isEmpty() ? null : connections);
      return connections.isEmpty();
    }
  }
}
