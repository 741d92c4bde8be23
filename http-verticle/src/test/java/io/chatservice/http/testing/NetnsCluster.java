package io.chatservice.http.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Network namespaces for cluster fault tests (Linux, root, iproute2). Each node
 * gets a namespace with two links: a "cluster" veth onto one bridge (Hazelcast
 * and the event bus; the link a partition cuts) and a "client" veth onto a
 * second bridge where this (root) namespace holds the gateway address, so
 * clients in the test JVM reach the nodes and the nodes reach whatever the test
 * forwards from the gateway (the database). No namespace gets a default route,
 * and the root namespace does not forward, so no packet from a node can leave
 * for a real network.
 * <p>
 * Every name starts with "pt" and the test JVM's pid, so runs never share a
 * name, and what a killed run left behind is recognised and removed by the next.
 */
public final class NetnsCluster implements AutoCloseable {

  private static final String PREFIX = "pt";
  private static final Pattern LEFTOVER = Pattern.compile("^" + PREFIX + "(\\d+)[nbck]\\w*$");
  private static final String NS_CLUSTER_LINK = "eth-cluster";
  private static final String NS_CLIENT_LINK = "eth-client";

  private final String tag;
  private final int nodes;
  private final String clusterNet;
  private final String clientNet;
  private final Thread cleanupHook = new Thread(this::removeAll, "netns-cleanup");

  private NetnsCluster(String tag, int nodes, int subnet) {
    this.tag = tag;
    this.nodes = nodes;
    this.clusterNet = "10.77." + subnet + ".";
    this.clientNet = "10.78." + subnet + ".";
  }

  /** Why namespaces cannot be made here, or empty when they can (tried for real with a throw-away namespace). */
  public static Optional<String> unavailable() {
    try {
      if (!"0".equals(run("id", "-u").trim())) {
        return Optional.of("not root (network namespaces need CAP_NET_ADMIN)");
      }
      String probe = PREFIX + ProcessHandle.current().pid() + "probe";
      Result added = exec(List.of("ip", "netns", "add", probe));
      exec(List.of("ip", "netns", "delete", probe));
      return added.ok() ? Optional.empty() : Optional.of("ip netns add failed: " + added.output().trim());
    } catch (RuntimeException e) {
      return Optional.of("iproute2 not usable: " + e.getMessage());
    }
  }

  /** {@code nodes} namespaces on two fresh bridges; removed by {@link #close()} or, failing that, at JVM exit. */
  public static NetnsCluster create(int nodes) {
    removeLeftovers();
    String tag = PREFIX + ProcessHandle.current().pid();
    NetnsCluster cluster = new NetnsCluster(tag, nodes, freeSubnet());
    Runtime.getRuntime().addShutdownHook(cluster.cleanupHook);
    try {
      cluster.build();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void build() {
    bridge(clusterBridge(), null);
    bridge(clientBridge(), gateway());
    for (int i = 1; i <= nodes; i++) {
      String ns = namespace(i);
      run("ip", "netns", "add", ns);
      run("ip", "-n", ns, "link", "set", "lo", "up");
      link(i, clusterLink(i), clusterBridge(), NS_CLUSTER_LINK, clusterAddress(i));
      link(i, clientLink(i), clientBridge(), NS_CLIENT_LINK, clientAddress(i));
    }
  }

  private static void bridge(String name, String address) {
    run("ip", "link", "add", name, "type", "bridge");
    if (address != null) {
      run("ip", "addr", "add", address + "/24", "dev", name);
    }
    run("ip", "link", "set", name, "up");
  }

  /** A veth pair: {@code outer} on the bridge here, {@code inner} with the address in node i's namespace. */
  private void link(int i, String outer, String bridge, String inner, String address) {
    run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", namespace(i));
    run("ip", "link", "set", outer, "master", bridge, "up");
    run("ip", "-n", namespace(i), "addr", "add", address + "/24", "dev", inner);
    run("ip", "-n", namespace(i), "link", "set", inner, "up");
  }

  public String namespace(int i) {
    return tag + "n" + i;
  }

  /** Node i's address on the cluster bridge (Hazelcast, event bus). */
  public String clusterAddress(int i) {
    return clusterNet + i;
  }

  /** Node i's address on the client bridge (HTTP from the test JVM). */
  public String clientAddress(int i) {
    return clientNet + i;
  }

  /** This namespace's address on the client bridge: what nodes connect to for forwarded services. */
  public String gateway() {
    return clientNet + "254";
  }

  /** The command prefix that runs a program in node i's namespace. */
  public List<String> runIn(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  /** Node i's routing table, one route a line. */
  public List<String> routes(int i) {
    return run("ip", "-n", namespace(i), "route", "show").lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
  }

  /** The subnets node i may reach: the cluster and the client bridge, nothing else. */
  public List<String> allowedSubnets() {
    return List.of(clusterNet + "0/24", clientNet + "0/24");
  }

  /** Whether node i's kernel has a route to {@code address} ({@code ip route get}). */
  public boolean hasRoute(int i, String address) {
    return exec(List.of("ip", "-n", namespace(i), "route", "get", address)).ok();
  }

  /** Pulls node i's cluster cable: its veth end on the bridge goes down, node i sees no carrier. */
  public void cut(int i) {
    run("ip", "link", "set", clusterLink(i), "down");
  }

  public void heal(int i) {
    run("ip", "link", "set", clusterLink(i), "up");
  }

  /**
   * A TCP forwarder from the gateway to {@code host:port} (e.g. a database listening on loopback only),
   * running on {@code vertx}; completes with the gateway port it listens on.
   */
  public Future<Integer> forward(Vertx vertx, String host, int port) {
    var client = vertx.createNetClient();
    return vertx.createNetServer()
      .connectHandler(inbound -> {
        inbound.pause();
        client.connect(port, host)
          .onSuccess(outbound -> pipe(inbound, outbound))
          .onFailure(e -> inbound.close());
      })
      .listen(0, gateway())
      .map(NetServer::actualPort);
  }

  private static void pipe(NetSocket inbound, NetSocket outbound) {
    inbound.pipeTo(outbound);
    outbound.pipeTo(inbound);
  }

  @Override
  public void close() {
    removeAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private void removeAll() {
    for (int i = 1; i <= nodes; i++) {
      killProcessesIn(namespace(i));
      exec(List.of("ip", "netns", "delete", namespace(i)));
    }
    exec(List.of("ip", "link", "delete", clusterBridge()));
    exec(List.of("ip", "link", "delete", clientBridge()));
  }

  /** Namespaces and links of earlier runs whose JVM is gone (a kill -9 skips every cleanup). */
  private static void removeLeftovers() {
    for (String ns : run("ip", "netns", "list").lines().map(l -> l.split("\\s+")[0]).toList()) {
      if (isLeftover(ns)) {
        killProcessesIn(ns);
        exec(List.of("ip", "netns", "delete", ns));
      }
    }
    for (String link : run("ip", "-o", "link", "show").lines().map(l -> l.split(":\\s+")[1].split("@")[0]).toList()) {
      if (isLeftover(link)) {
        exec(List.of("ip", "link", "delete", link));
      }
    }
  }

  private static boolean isLeftover(String name) {
    Matcher matcher = LEFTOVER.matcher(name);
    return matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty();
  }

  /** Nodes a run left in its namespaces: a namespace lives on while a process is in it. */
  private static void killProcessesIn(String ns) {
    for (String pid : exec(List.of("ip", "netns", "pids", ns)).output().lines().map(String::trim).filter(p -> p.matches("\\d+")).toList()) {
      ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** A third octet for 10.77.x.0/24 and 10.78.x.0/24 that no address of this namespace uses yet. */
  private static int freeSubnet() {
    String addresses = run("ip", "-o", "-4", "addr", "show");
    int start = (int) (ProcessHandle.current().pid() % 200) + 20;
    for (int k = 0; k < 200; k++) {
      int subnet = (start + k - 20) % 200 + 20;
      if (!addresses.contains(" 10.77." + subnet + ".") && !addresses.contains(" 10.78." + subnet + ".")) {
        return subnet;
      }
    }
    throw new IllegalStateException("no free 10.77.x.0/24 and 10.78.x.0/24 subnet");
  }

  private String clusterBridge() {
    return tag + "bc";
  }

  private String clientBridge() {
    return tag + "bk";
  }

  private String clusterLink(int i) {
    return tag + "c" + i;
  }

  private String clientLink(int i) {
    return tag + "k" + i;
  }

  private record Result(int status, String output) {
    boolean ok() {
      return status == 0;
    }
  }

  /** Runs a command; fails with its output unless it exits 0. */
  private static String run(String... command) {
    Result result = exec(List.of(command));
    if (!result.ok()) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + result.status() + ": " + result.output().trim());
    }
    return result.output();
  }

  private static Result exec(List<String> command) {
    try {
      Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, output + " (timed out)");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
