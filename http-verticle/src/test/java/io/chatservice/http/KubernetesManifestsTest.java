package io.chatservice.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chatservice.http.testing.TestNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Renders k8s/ with kubectl kustomize, types it with the fabric8 model and checks it against the app. Skipped, with a SKIPPED: line, where kubectl is missing. */
@DisplayName("The Kubernetes manifests in k8s/")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KubernetesManifestsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Writes without fabric8's @JsonAnyGetter: a field the model does not know (kept in additionalProperties) goes missing. */
  private static final ObjectMapper KNOWN_FIELDS_ONLY = new ObjectMapper().setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
    @Override
    public Boolean hasAnyGetter(Annotated annotated) {
      return Boolean.FALSE;
    }
  });
  private static final Map<String, Class<? extends HasMetadata>> MODELS = Map.of(
    "v1/ConfigMap", ConfigMap.class, "v1/Secret", Secret.class, "v1/Service", Service.class,
    "apps/v1/Deployment", Deployment.class, "apps/v1/StatefulSet", StatefulSet.class,
    "networking.k8s.io/v1/Ingress", Ingress.class, "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
    "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class, "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);
  /** What the kubelet puts into the downward API's fields. */
  private static final Map<String, String> FIELDS = Map.of("status.podIP", "10.1.2.3", "metadata.namespace", "chat", "metadata.name", "chat-0");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private record Workload(String kind, String name, Map<String, String> labels, PodSpec pod) {
  }

  private static List<JsonNode> documents;
  private static List<HasMetadata> objects;
  /** Why the tests are skipped (no kubectl), or null. */
  private static String skipped;

  @BeforeAll
  static void render() throws Exception {
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    String rendered = kustomize(Files.isDirectory(here.resolve("k8s")) ? here : here.getParent());
    if (rendered == null) {
      return;
    }
    documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered).readAll().stream().filter(d -> d != null && !d.isNull()).toList();
    objects = new ArrayList<>();
    for (JsonNode document : documents) {
      String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
      assertThat(MODELS).as("a model for %s (add it to MODELS if it belongs there)", type).containsKey(type);
      objects.add(YAML.treeToValue(document, MODELS.get(type)));
    }
  }

  private static String kustomize(Path root) throws Exception {
    Path errors = Files.createTempFile("kustomize", ".err");
    Process process;
    try {
      process = new ProcessBuilder("kubectl", "kustomize", "k8s").directory(root.toFile()).redirectError(errors.toFile()).start();
    } catch (IOException e) {
      Files.deleteIfExists(errors);
      // Debian's kubectl (1.20) is too old for this kustomization and registries are all CI may reach,
      // so a machine without a recent kubectl skips, loudly, as the issue allows.
      String reason = "kubectl not found (" + e.getMessage() + "), so k8s/ cannot be rendered";
      System.err.println("SKIPPED: " + reason + "; Kubernetes manifest tests skipped");
      skipped = reason;
      return null;
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
    assertThat(process.exitValue()).as("kubectl kustomize k8s: %s", Files.readString(errors)).isZero();
    Files.deleteIfExists(errors);
    return out;
  }

  @BeforeEach
  void needsKubectl() {
    Assumptions.assumeTrue(skipped == null, () -> skipped);
  }

  @Test
  @DisplayName("use only fields the Kubernetes API knows, with values of the right types")
  void noUnknownFields() {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      unknownOrLost(documents.get(i), KNOWN_FIELDS_ONLY.valueToTree(objects.get(i)), objects.get(i).getKind() + " " + name(objects.get(i)), problems);
    }
    assertThat(problems).isEmpty();
    assertThat(objects).extracting(HasMetadata::getKind)
      .contains("Deployment", "Service", "Ingress", "ConfigMap", "Secret", "StatefulSet", "PodDisruptionBudget", "HorizontalPodAutoscaler");
  }

  @Test
  @DisplayName("agree on labels and ports: Deployment, Services, Ingress, PDB, HPA and NetworkPolicy")
  void selectorsAndPorts() {
    Workload chat = chat();
    assertThat(chat.labels()).as("Deployment selector vs pod labels").containsAllEntriesOf(matchLabels(deployment().getSpec().getSelector()));
    for (Service service : all(Service.class)) {
      List<Workload> selected = workloads().stream().filter(w -> selects(service.getSpec().getSelector(), w.labels())).toList();
      assertThat(selected).as("workloads Service %s selects", name(service)).hasSize(1);
      for (ServicePort port : service.getSpec().getPorts()) {
        assertThat(containerPort(selected.get(0).pod(), port.getTargetPort())).as("Service %s port %s", name(service), port.getName()).isPresent();
      }
    }
    for (Ingress ingress : all(Ingress.class)) {
      ingress.getSpec().getRules().stream().flatMap(rule -> rule.getHttp().getPaths().stream()).map(path -> path.getBackend().getService()).forEach(backend -> {
        Service service = one(Service.class, backend.getName());
        ServicePort port = service.getSpec().getPorts().stream()
          .filter(p -> p.getName().equals(backend.getPort().getName()) || p.getPort().equals(backend.getPort().getNumber())).findFirst()
          .orElseThrow(() -> new AssertionError("Ingress backend " + backend + " is no port of Service " + backend.getName()));
        assertThat(selects(service.getSpec().getSelector(), chat.labels())).as("Ingress backend %s serves the chat pods", name(service)).isTrue();
        assertThat(containerPort(chat.pod(), port.getTargetPort()).map(ContainerPort::getName)).as("Ingress backend port").contains("http");
      });
      Map<String, String> annotations = ingress.getMetadata().getAnnotations();
      assertThat(annotations).as("sticky SockJS sessions").containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie");
      for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
        assertThat(Integer.parseInt(annotations.getOrDefault("nginx.ingress.kubernetes.io/" + timeout, "60"))).as(timeout).isGreaterThanOrEqualTo(3600);
      }
    }
    PodDisruptionBudget pdb = pdb();
    Map<String, String> budgeted = matchLabels(pdb.getSpec().getSelector());
    assertThat(workloads()).as("pods of the PodDisruptionBudget").filteredOn(w -> selects(budgeted, w.labels())).containsExactly(chat);
    assertThat(all(HorizontalPodAutoscaler.class)).as("one HorizontalPodAutoscaler").hasSize(1);
    var hpa = all(HorizontalPodAutoscaler.class).get(0).getSpec();
    assertThat(List.of(hpa.getScaleTargetRef().getApiVersion(), hpa.getScaleTargetRef().getKind(), hpa.getScaleTargetRef().getName()))
      .as("HPA target").containsExactly("apps/v1", "Deployment", chat.name());
    assertThat(hpa.getMinReplicas()).as("HPA minReplicas").isGreaterThanOrEqualTo(deployment().getSpec().getReplicas());
    assertThat(hpa.getMetrics()).as("HPA on CPU").anyMatch(m -> m.getResource() != null && m.getResource().getName().equals("cpu"));
    assertThat(chatContainer().getResources().getRequests()).as("CPU utilization needs a CPU request").containsKey("cpu");
    // The cluster ports have no authentication: only chat pods may reach them (HTTP may be open).
    List<NetworkPolicy> policies = all(NetworkPolicy.class).stream().filter(p -> selects(matchLabels(p.getSpec().getPodSelector()), chat.labels())).toList();
    assertThat(policies).as("a NetworkPolicy for the chat pods").isNotEmpty();
    policies.stream().flatMap(p -> p.getSpec().getIngress().stream())
      .filter(rule -> rule.getPorts().isEmpty()
        || rule.getPorts().stream().anyMatch(p -> !containerPort(chat.pod(), p.getPort()).map(ContainerPort::getName).orElse("").equals("http")))
      .forEach(rule -> assertThat(rule.getFrom()).as("who may reach %s", rule.getPorts()).isNotEmpty().allMatch(peer -> peer.getIpBlock() == null
        && peer.getNamespaceSelector() == null && peer.getPodSelector() != null && selects(matchLabels(peer.getPodSelector()), chat.labels())));
  }

  @Test
  @DisplayName("probe and scrape paths the app serves (200 from a real node) on the http container port")
  void probesAreServed() throws Exception {
    Container container = chatContainer();
    List<Probe> probes = Stream.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe()).toList();
    assertThat(probes).as("startup, liveness and readiness probes over HTTP").doesNotContainNull().allMatch(p -> p.getHttpGet() != null);
    assertThat(probes).extracting(p -> p.getHttpGet().getPath()).containsExactly("/health/live", "/health/live", "/health/ready");
    for (Probe probe : probes) {
      assertThat(containerPort(chat().pod(), probe.getHttpGet().getPort()).map(ContainerPort::getName)).as("probe port").contains("http");
    }
    List<String> paths = new ArrayList<>(probes.stream().map(probe -> probe.getHttpGet().getPath()).toList());
    Map<String, String> annotations = Optional.ofNullable(deployment().getSpec().getTemplate().getMetadata().getAnnotations()).orElse(Map.of());
    if (annotations.containsKey("prometheus.io/path")) {
      int http = containerPort(chat().pod(), new IntOrString("http")).orElseThrow().getContainerPort();
      assertThat(annotations.get("prometheus.io/port")).as("prometheus.io/port").isEqualTo(String.valueOf(http));
      paths.add(annotations.get("prometheus.io/path"));
    }
    Vertx vertx = Vertx.vertx();
    try {
      TestNode node = await(TestNode.start(vertx));
      for (String path : paths) {
        assertThat(await(node.client.get(path).send()).statusCode()).as("GET %s", path).isEqualTo(200);
      }
    } finally {
      await(vertx.close());
    }
  }

  @Test
  @DisplayName("set only CHAT_* variables the command line reads, configuring a clustered node that finds its peers")
  void environmentConfiguresTheNode() {
    Map<String, String> env = environment(chatContainer());
    Set<String> known = ChatNode.commandLine().getCommandSpec().options().stream().filter(o -> !o.usageHelp() && !o.versionHelp())
      .map(KubernetesManifestsTest::envName).collect(Collectors.toSet());
    assertThat(env.keySet().stream().filter(name -> name.startsWith(ChatNode.ENV_PREFIX))).as("CHAT_* variables the CLI reads")
      .isNotEmpty().allMatch(known::contains);
    assertThat(chat().pod().getEnableServiceLinks()).as("enableServiceLinks (Service links would add CHAT_..._PORT=tcp://...)").isFalse();

    // The same parsing and validation as a real start, with the container's environment.
    CommandLine cli = ChatNode.commandLine();
    cli.setDefaultValueProvider(spec -> spec instanceof OptionSpec option ? env.get(envName(option)) : null);
    cli.parseArgs();
    ChatNode node = cli.getCommand();
    NodeConfig config = node.toConfig();
    NodeConfig.ClusterConfig cluster = config.cluster();
    assertThat(node.logFormat).as("log format").isEqualTo(Logging.Format.json);
    assertThat(cluster.enabled()).as("clustered").isTrue();
    assertThat(List.of(cluster.host(), cluster.eventBusHost(), cluster.publicHost())).as("cluster, event-bus and public host = pod IP")
      .containsOnly(FIELDS.get("status.podIP"));
    assertThat(chatContainer().getPorts()).extracting(ContainerPort::getContainerPort).as("container ports = HTTP, Hazelcast and event-bus ports")
      .contains(config.http().port(), cluster.port(), cluster.eventBusPort()).contains(8080, 5701, 5710);

    String serviceDns = cluster.k8sService().orElseThrow(() -> new AssertionError("CHAT_K8S_SERVICE is not set"));
    Service headless = one(Service.class, serviceDns.split("\\.")[0]);
    assertThat(headless.getSpec().getClusterIP()).as("CHAT_K8S_SERVICE names a headless Service").isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("publishNotReadyAddresses (pods are ready only once joined)").isTrue();
    assertThat(selects(headless.getSpec().getSelector(), chat().labels())).as("headless Service selects the chat pods").isTrue();
    ServicePort hazelcast = headless.getSpec().getPorts().stream().filter(p -> p.getPort() == cluster.port()).findFirst()
      .orElseThrow(() -> new AssertionError("the headless Service does not expose the Hazelcast port " + cluster.port()));
    assertThat(containerPort(chat().pod(), hazelcast.getTargetPort()).map(ContainerPort::getContainerPort)).as("Hazelcast port").contains(cluster.port());

    assertThat(config.database().url()).startsWith("jdbc:postgresql://");
    URI db = URI.create(config.database().url().substring("jdbc:".length()));
    Service database = one(Service.class, db.getHost().split("\\.")[0]);
    ServicePort dbPort = database.getSpec().getPorts().stream().filter(p -> p.getPort() == db.getPort()).findFirst()
      .orElseThrow(() -> new AssertionError("Service " + name(database) + " has no port " + db.getPort()));
    assertThat(workloads()).as("the StatefulSet behind CHAT_DB_URL, with that port")
      .anyMatch(w -> w.kind().equals("StatefulSet") && selects(database.getSpec().getSelector(), w.labels())
        && containerPort(w.pod(), dbPort.getTargetPort()).isPresent());
    assertThat(config.database().user()).as("database user").isNotBlank();
    // Empty: the nodes share the secret kept in the database. A pinned one must not be a guessable placeholder.
    config.jwtSecret().ifPresent(secret -> assertThat(secret.length()).as("CHAT_JWT_SECRET length").isGreaterThanOrEqualTo(32));
  }

  @Test
  @DisplayName("roll out one pod at a time, keep the cluster quorate and give a node time to drain")
  void rollout() {
    var spec = deployment().getSpec();
    assertThat(spec.getReplicas()).as("replicas").isEqualTo(3);
    assertThat(spec.getStrategy().getType()).as("strategy").isEqualTo("RollingUpdate");
    assertThat(spec.getStrategy().getRollingUpdate().getMaxUnavailable()).as("maxUnavailable").isEqualTo(new IntOrString(0));
    assertThat(spec.getStrategy().getRollingUpdate().getMaxSurge()).as("maxSurge").isEqualTo(new IntOrString(1));
    var budget = pdb().getSpec();
    assertThat(budget.getMaxUnavailable() != null ? budget.getMaxUnavailable().getIntVal() : spec.getReplicas() - budget.getMinAvailable().getIntVal())
      .as("pods a PodDisruptionBudget lets go at once").isEqualTo(1);
    long preStop = Optional.ofNullable(chatContainer().getLifecycle()).map(l -> l.getPreStop()).map(h -> h.getSleep())
      .map(sleep -> sleep.getSeconds()).orElse(0L);
    // ChatNode exits within 10 s of SIGTERM, which comes after the preStop hook.
    assertThat(chat().pod().getTerminationGracePeriodSeconds()).as("terminationGracePeriodSeconds").isGreaterThanOrEqualTo(Math.max(15, preStop + 15));
  }

  @Test
  @DisplayName("bound every container's resources and run it unprivileged")
  void resourcesAndSecurity() {
    for (Workload workload : workloads()) {
      for (Container container : workload.pod().getContainers()) {
        String name = workload.name() + "/" + container.getName();
        assertThat(container.getResources().getRequests()).as("%s requests", name).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).as("%s limits", name).containsKey("memory");
        var security = container.getSecurityContext();
        assertThat(security).as("%s securityContext", name).isNotNull();
        assertThat(security.getRunAsNonRoot()).as("%s runAsNonRoot", name).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", name).isFalse();
        assertThat(security.getCapabilities()).as("%s capabilities", name).isNotNull();
        assertThat(security.getCapabilities().getDrop()).as("%s drops", name).contains("ALL");
      }
    }
    Container chat = chatContainer();
    assertThat(chat.getResources().getLimits()).as("chat limits").containsKeys("cpu", "memory");
    assertThat(chat.getSecurityContext().getReadOnlyRootFilesystem()).as("chat readOnlyRootFilesystem").isTrue();
    // Vert.x extracts the web client's files under java.io.tmpdir: it cannot start without a writable /tmp.
    assertThat(chat.getVolumeMounts()).as("a writable /tmp").anyMatch(m -> m.getMountPath().equals("/tmp") && !Boolean.TRUE.equals(m.getReadOnly()));
  }

  // ---- the rendered objects

  private static <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream().filter(o -> name(o).equals(name)).findFirst()
      .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
  }

  private static String name(HasMetadata object) {
    return object.getMetadata().getName();
  }

  private static Deployment deployment() {
    assertThat(all(Deployment.class)).as("one Deployment").hasSize(1);
    return all(Deployment.class).get(0);
  }

  private static Workload chat() {
    var template = deployment().getSpec().getTemplate();
    return new Workload("Deployment", name(deployment()), template.getMetadata().getLabels(), template.getSpec());
  }

  private static Container chatContainer() {
    assertThat(chat().pod().getContainers()).as("one container in the chat pod").hasSize(1);
    return chat().pod().getContainers().get(0);
  }

  private static List<Workload> workloads() {
    List<Workload> workloads = new ArrayList<>(List.of(chat()));
    for (StatefulSet set : all(StatefulSet.class)) {
      var template = set.getSpec().getTemplate();
      assertThat(template.getMetadata().getLabels()).as("StatefulSet selector vs pod labels").containsAllEntriesOf(matchLabels(set.getSpec().getSelector()));
      workloads.add(new Workload("StatefulSet", name(set), template.getMetadata().getLabels(), template.getSpec()));
    }
    return workloads;
  }

  private static PodDisruptionBudget pdb() {
    return all(PodDisruptionBudget.class).stream().filter(p -> selects(matchLabels(p.getSpec().getSelector()), chat().labels())).findFirst()
      .orElseThrow(() -> new AssertionError("no PodDisruptionBudget selects the chat pods"));
  }

  private static Map<String, String> matchLabels(LabelSelector selector) {
    assertThat(selector.getMatchExpressions()).as("selectors use matchLabels only").isEmpty();
    return selector.getMatchLabels();
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  /** The container port a Service, probe or policy port (a name or a number) refers to. */
  private static Optional<ContainerPort> containerPort(PodSpec pod, IntOrString port) {
    return pod.getContainers().stream().flatMap(c -> c.getPorts().stream()).filter(p -> port != null
      && (port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort()))).findFirst();
  }

  /** The container's environment as the kubelet builds it: envFrom, then env in order, expanding $(VAR). */
  private static Map<String, String> environment(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : container.getEnvFrom()) {
      Map<String, String> source = from.getConfigMapRef() != null ? one(ConfigMap.class, from.getConfigMapRef().getName()).getData()
        : secretData(from.getSecretRef().getName());
      source.forEach((key, value) -> env.put(Optional.ofNullable(from.getPrefix()).orElse("") + key, value));
    }
    for (EnvVar variable : container.getEnv()) {
      var from = variable.getValueFrom();
      String value;
      if (from == null) {
        Matcher matcher = REFERENCE.matcher(Optional.ofNullable(variable.getValue()).orElse(""));
        value = matcher.replaceAll(m -> Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
        assertThat(value).as("%s refers only to variables defined before it", variable.getName()).doesNotContain("$(");
      } else if (from.getFieldRef() != null) {
        value = FIELDS.get(from.getFieldRef().getFieldPath());
      } else if (from.getSecretKeyRef() != null) {
        value = secretData(from.getSecretKeyRef().getName()).get(from.getSecretKeyRef().getKey());
      } else {
        value = one(ConfigMap.class, from.getConfigMapKeyRef().getName()).getData().get(from.getConfigMapKeyRef().getKey());
      }
      assertThat(value).as("the value of %s", variable.getName()).isNotNull();
      env.put(variable.getName(), value);
    }
    return env;
  }

  private static Map<String, String> secretData(String name) {
    Secret secret = one(Secret.class, name);
    Map<String, String> data = new HashMap<>();
    secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
    data.putAll(secret.getStringData());
    return data;
  }

  private static String envName(OptionSpec option) {
    return ChatNode.ENV_PREFIX + option.longestName().replaceFirst("^--", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Every value of the YAML must come back from the typed object (scalars compared as text: 2 and "2" are one quantity). */
  private static void unknownOrLost(JsonNode in, JsonNode out, String path, List<String> problems) {
    if (in.isObject()) {
      in.fields().forEachRemaining(field -> {
        JsonNode typed = out == null ? null : out.get(field.getKey());
        if (typed != null && !typed.isNull()) {
          unknownOrLost(field.getValue(), typed, path + "." + field.getKey(), problems);
        } else if (!field.getValue().isNull() && !(field.getValue().isContainerNode() && field.getValue().isEmpty())) {
          problems.add(path + "." + field.getKey() + ": unknown to the Kubernetes model (or lost in typing)");
        }
      });
    } else if (in.isArray() && (out == null || !out.isArray() || out.size() != in.size())) {
      problems.add(path + ": list became " + out);
    } else if (in.isArray()) {
      for (int i = 0; i < in.size(); i++) {
        unknownOrLost(in.get(i), out.get(i), path + "[" + i + "]", problems);
      }
    } else if (out == null || !in.asText().equals(out.asText())) {
      problems.add(path + ": " + in + " became " + out);
    }
  }
}
