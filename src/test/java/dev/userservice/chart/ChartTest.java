package dev.userservice.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import dev.userservice.config.Config;
import dev.userservice.support.ApiClient;
import dev.userservice.support.FakeKubernetesApi;
import dev.userservice.support.KubernetesModels;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.SharedService;
import dev.userservice.tracing.Tracing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Helm chart, rendered by a real helm and checked object by object. */
class ChartTest {
  private static final String APP = RenderedChart.RELEASE;
  private static final String DB = APP + "-postgresql";

  /** What INGRESS=envoy-gateway . ./install.sh sets (on kind, with a NodePort). */
  private static final String[] GATEWAY_PATH = {"gateway.enabled", "true", "ingress.enabled", "false",
      "gateway.envoyProxy.serviceType", "NodePort", "gateway.metrics.labels.release", "kube-prometheus-stack",
      "networkPolicy.enabled", "true"};

  private static String[] concat(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }

  /** Every variant the chart tests render; HelmCliIT renders them with the Helm 3 and Helm 4 CLIs too. */
  public static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("defaults", new String[0]),
        Arguments.of("ingress off", new String[] {"ingress.enabled", "false"}),
        Arguments.of("external database", new String[] {"postgresql.enabled", "false", "database.host", "db.example.com"}),
        Arguments.of("HPA, PDB and NetworkPolicy on", new String[] {"autoscaling.enabled", "true",
            "networkPolicy.enabled", "true"}),
        Arguments.of("existing Secret", new String[] {"database.existingSecret", "my-db-credentials",
            "database.passwordKey", "pw"}),
        Arguments.of("tracing on, NetworkPolicy on", new String[] {"tracing.enabled", "true",
            "networkPolicy.enabled", "true"}),
        Arguments.of("tracing on, external database, NetworkPolicy on", new String[] {"tracing.enabled", "true",
            "tracing.endpoint", "https://collector.example.com", "tracing.samplerRatio", "0.25",
            "postgresql.enabled", "false", "database.host", "db.example.com", "networkPolicy.enabled", "true"}),
        Arguments.of("CloudNativePG", new String[] {"database.mode", "cloudnative-pg"}),
        Arguments.of("CloudNativePG, NetworkPolicy and tracing on", new String[] {"database.mode", "cloudnative-pg",
            "networkPolicy.enabled", "true", "tracing.enabled", "true", "autoscaling.enabled", "true"}),
        Arguments.of("external database, existing Secret", new String[] {"database.mode", "external",
            "database.host", "db.example.com", "database.existingSecret", "pg-credentials", "networkPolicy.enabled", "true"}),
        Arguments.of("Gateway API route", new String[] {"httpRoute.enabled", "true",
            "httpRoute.parentRefs[0].name", "public", "httpRoute.parentRefs[0].namespace", "gateway-system",
            "httpRoute.parentRefs[0].sectionName", "http"}),
        Arguments.of("Envoy Gateway (INGRESS=envoy-gateway), NetworkPolicy on", GATEWAY_PATH),
        Arguments.of("Envoy Gateway with Keycloak (AUTH=keycloak), NetworkPolicy on", concat(GATEWAY_PATH,
            "keycloak.enabled", "true", "auth.enabled", "true", "auth.issuerAddress", "10.96.0.30")),
        Arguments.of("Envoy Gateway, tracing on (TRACING=1)", concat(GATEWAY_PATH, "tracing.enabled", "true",
            "gateway.envoyProxy.tracing.enabled", "true")),
        Arguments.of("a Gateway of another implementation", new String[] {"gateway.enabled", "true",
            "gateway.createClass", "false", "gateway.className", "cilium", "gateway.envoyProxy.enabled", "false",
            "gateway.metrics.enabled", "false"}),
        Arguments.of("accounts (auth) on, NetworkPolicy on", new String[] {"auth.enabled", "true",
            "auth.issuer", "http://arch.homework/auth/realms/hw3", "networkPolicy.enabled", "true"}),
        Arguments.of("Keycloak (AUTH=keycloak), NetworkPolicy on", new String[] {"keycloak.enabled", "true",
            "auth.enabled", "true", "auth.issuerAddress", "10.96.0.20", "networkPolicy.enabled", "true"}),
        Arguments.of("Keycloak with CloudNativePG", new String[] {"keycloak.enabled", "true", "auth.enabled", "true",
            "database.mode", "cloudnative-pg"}),
        Arguments.of("backups on a volume (bundled), NetworkPolicy on", BackupChartTest.VOLUME),
        Arguments.of("bundled, restoring to a time", BackupChartTest.VOLUME_RESTORE),
        Arguments.of("CloudNativePG, backups to S3 (BACKUP=s3), NetworkPolicy on", BackupChartTest.S3),
        Arguments.of("CloudNativePG, a new Cluster restored to a time", BackupChartTest.S3_RESTORE),
        Arguments.of("one replica, monitoring off", new String[] {"replicaCount", "1",
            "metrics.serviceMonitor.enabled", "false", "metrics.prometheusRule.enabled", "false",
            "metrics.dashboard.enabled", "false", "namespace.create", "false"}));
  }

  /** docs/upgrading.md: 1.1.0 and older know nothing of owners, so with accounts on they are refused. */
  @Test
  void anImageThatKnowsNothingOfOwnersIsRefusedWithAccountsOn() {
    String[] accounts = {"auth.enabled", "true", "auth.issuer", "http://arch.homework/auth/realms/hw3"};
    assertThatThrownBy(() -> RenderedChart.render(concat(accounts, "image.tag", "1.1.0")))
        .hasMessageContaining("releases before 1.2.0 know nothing of profile owners");
    assertThat(RenderedChart.render(concat(accounts, "image.tag", "1.2.0")).find("Deployment", APP)).isPresent();
    assertThat(RenderedChart.render("image.tag", "1.1.0").find("Deployment", APP)).as("accounts off: allowed").isPresent();
  }

  @Test
  void lintsCleanWithStrict() {
    var result = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void defaultRenderHasEveryPart() {
    var chart = RenderedChart.render();
    System.out.println("helm template, default values: " + chart.countByKind());
    assertThat(chart.countByKind()).containsEntry("Namespace", 1L).containsEntry("ConfigMap", 3L)
        .containsEntry("Secret", 1L).containsEntry("Deployment", 1L).containsEntry("Service", 2L)
        .containsEntry("Ingress", 1L).containsEntry("StatefulSet", 1L).containsEntry("Job", 1L)
        .containsEntry("ServiceMonitor", 1L).containsEntry("PrometheusRule", 1L)
        .containsEntry("PodDisruptionBudget", 1L).containsEntry("Pod", 1L)
        .doesNotContainKeys("HorizontalPodAutoscaler", "NetworkPolicy");
    JsonNode ingress = chart.get("Ingress", APP);
    assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
    assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("arch.homework");
    assertThat(chart.get("Namespace", "hw3").at("/metadata/annotations/helm.sh~1resource-policy").asText())
        .isEqualTo("keep");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyObjectMatchesItsApiModelStrictly(String name, String[] sets) {
    var chart = RenderedChart.render(sets);
    List<String> problems = new ArrayList<>();
    for (JsonNode object : chart.objects()) {
      problems.addAll(KubernetesModels.problems(object));
    }
    assertThat(problems).as(chart.yaml()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyNamespacedObjectLandsInTheReleaseNamespace(String name, String[] sets) {
    for (JsonNode object : RenderedChart.render(sets).objects()) {
      if (!Set.of("Namespace", "GatewayClass").contains(object.path("kind").asText())) { // cluster-scoped
        assertThat(object.at("/metadata/namespace").asText()).as(object.at("/metadata/name").asText())
            .isEqualTo(RenderedChart.NAMESPACE);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void selectorsPortsAndProbesLineUp(String name, String[] sets) {
    var chart = RenderedChart.render(sets);
    JsonNode deployment = chart.get("Deployment", APP);
    JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
    assertSubset(deployment.at("/spec/selector/matchLabels"), podLabels);

    JsonNode service = chart.get("Service", APP);
    assertSubset(service.at("/spec/selector"), podLabels);
    Set<String> containerPorts = portNames(deployment);
    for (JsonNode port : service.at("/spec/ports")) {
      assertThat(containerPorts).contains(port.path("targetPort").asText());
    }
    for (JsonNode container : deployment.at("/spec/template/spec/containers")) {
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        assertThat(containerPorts).as(probe).contains(container.at("/" + probe + "/httpGet/port").asText());
      }
    }
    chart.find("PodDisruptionBudget", APP).ifPresent(pdb -> assertSubset(pdb.at("/spec/selector/matchLabels"), podLabels));
    chart.find("HorizontalPodAutoscaler", APP).ifPresent(hpa -> {
      assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(APP);
      assertThat(deployment.at("/spec/replicas").isMissingNode()).as("the HPA owns replicas").isTrue();
    });
    chart.find("ServiceMonitor", APP).ifPresent(monitor -> {
      assertSubset(monitor.at("/spec/selector/matchLabels"), service.at("/metadata/labels"));
      Set<String> servicePorts = new HashSet<>();
      service.at("/spec/ports").forEach(p -> servicePorts.add(p.path("name").asText()));
      monitor.at("/spec/endpoints").forEach(e -> {
        assertThat(servicePorts).contains(e.path("port").asText());
        assertThat(e.path("path").asText()).isEqualTo("/metrics");
      });
    });
    chart.find("StatefulSet", DB).ifPresent(statefulSet -> {
      JsonNode dbLabels = statefulSet.at("/spec/template/metadata/labels");
      assertSubset(statefulSet.at("/spec/selector/matchLabels"), dbLabels);
      JsonNode dbService = chart.get("Service", DB);
      assertSubset(dbService.at("/spec/selector"), dbLabels);
      assertThat(portNames(statefulSet)).contains(dbService.at("/spec/ports/0/targetPort").asText());
      assertThat(chart.get("ConfigMap", APP).at("/data/DB_HOST").asText()).isEqualTo(DB);
    });
    chart.find("NetworkPolicy", APP).ifPresent(policy -> assertSubset(policy.at("/spec/podSelector/matchLabels"), podLabels));
    chart.find("NetworkPolicy", DB).ifPresent(policy -> {
      assertSubset(policy.at("/spec/podSelector/matchLabels"), chart.get("StatefulSet", DB).at("/spec/template/metadata/labels"));
      assertSubset(policy.at("/spec/ingress/0/from/0/podSelector/matchLabels"), podLabels);
      chart.ofKind("Job").forEach(job ->
          assertSubset(policy.at("/spec/ingress/0/from/1/podSelector/matchLabels"), job.at("/spec/template/metadata/labels")));
    });
  }

  @Test
  void probePathsAreRoutesTheServiceServesWith200() {
    ApiClient api = SharedService.api();
    JsonNode container = RenderedChart.render().get("Deployment", APP).at("/spec/template/spec/containers/0");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      String path = container.at("/" + probe + "/httpGet/path").asText();
      assertThat(api.get(path).status()).as(probe + " " + path).isEqualTo(200);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyVariableSetIsOneTheServiceReadsAndThePasswordComesFromASecret(String name, String[] sets) {
    var chart = RenderedChart.render(sets);
    Set<String> read = combine(Config.variableNames(), Tracing.VARIABLES);
    JsonNode configMap = chart.get("ConfigMap", APP);
    configMap.at("/data").fieldNames().forEachRemaining(key -> assertThat(read).as("ConfigMap key").contains(key));
    assertThat(configMap.at("/data").has("DB_PASSWORD")).isFalse();

    String secretName = chart.get("Deployment", APP).at("/spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name").asText();
    for (JsonNode workload : Stream.concat(chart.ofKind("Deployment").stream(), chart.ofKind("Job").stream()).toList()) {
      JsonNode container = workload.at("/spec/template/spec/containers/0");
      assertThat(container.at("/envFrom/0/configMapRef/name").asText()).isEqualTo(APP);
      for (JsonNode env : container.path("env")) {
        String variable = env.path("name").asText();
        assertThat(variable).isIn(combine(read, Set.of("JAVA_TOOL_OPTIONS")));
        if (variable.equals("DB_PASSWORD")) {
          assertThat(env.has("value")).as("never a literal password").isFalse();
          assertThat(env.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(secretName);
        }
      }
    }
    boolean existing = List.of(sets).contains("database.existingSecret") || List.of(sets).contains("cloudnative-pg");
    assertThat(chart.find("Secret", secretName).isPresent()).isEqualTo(!existing);
  }

  @Test
  void authValuesBecomeTheServicesVariablesAndOpenEgressToTheProvider() {
    var chart = RenderedChart.render("auth.enabled", "true", "auth.issuer", "https://id.example.com:8443/realms/hw3",
        "auth.audience", "users-api", "auth.adminRole", "admins", "auth.jwksRefresh", "PT1M", "networkPolicy.enabled", "true");
    JsonNode data = chart.get("ConfigMap", APP).at("/data");
    assertThat(data.get("AUTH_MODE").asText()).isEqualTo("oidc");
    assertThat(data.get("OIDC_ISSUER").asText()).isEqualTo("https://id.example.com:8443/realms/hw3");
    assertThat(data.get("OIDC_AUDIENCE").asText()).isEqualTo("users-api");
    assertThat(data.get("OIDC_ADMIN_ROLE").asText()).isEqualTo("admins");
    assertThat(data.get("OIDC_JWKS_REFRESH").asText()).isEqualTo("PT1M");
    assertThat(chart.get("NetworkPolicy", APP).at("/spec/egress").toString()).contains("{\"port\":8443,\"protocol\":\"TCP\"}");
    assertThat(RenderedChart.render().get("ConfigMap", APP).at("/data").has("AUTH_MODE")).as("off by default").isFalse();
  }

  @Test
  void keycloakServesTheRealmFileAtTheIssuerTheServiceTrusts() throws Exception {
    var chart = RenderedChart.render("keycloak.enabled", "true", "auth.enabled", "true", "auth.issuerAddress", "10.96.0.20");
    JsonNode keycloak = chart.ofKind("Keycloak").getFirst();
    JsonNode realmImport = chart.ofKind("KeycloakRealmImport").getFirst();
    String issuer = chart.get("ConfigMap", APP).at("/data/OIDC_ISSUER").asText();
    assertThat(issuer).isEqualTo(keycloak.at("/spec/hostname/hostname").asText() + "/realms/hw3")
        .isEqualTo("http://arch.homework/auth/realms/hw3");
    assertThat(realmImport.at("/spec/keycloakCRName").asText()).isEqualTo(keycloak.at("/metadata/name").asText());
    assertThat(realmImport.at("/spec/realm")).as("the realm file the tests import")
        .isEqualTo(new ObjectMapper().readTree(Path.of("keycloak", "realm-hw3.json").toFile()));
    assertThat(realmImport.at("/spec/placeholders/USER_SERVICE_REGISTRAR_SECRET/secret/name").asText())
        .isEqualTo(keycloak.at("/metadata/name").asText() + "-credentials");
    JsonNode pod = chart.get("Deployment", APP).at("/spec/template/spec");
    assertThat(pod.at("/hostAliases/0/ip").asText()).isEqualTo("10.96.0.20");
    assertThat(pod.at("/hostAliases/0/hostnames/0").asText()).isEqualTo("arch.homework");
    assertThat(chart.get("Ingress", APP).at("/spec/rules/0/http/paths/1/path").asText()).isEqualTo("/auth");
    assertThat(chart.yaml()).doesNotContain("USER_SERVICE_REGISTRAR_SECRET: \"");
    assertThat(chart.find("StatefulSet", keycloak.at("/metadata/name").asText() + "-db")).isPresent();
  }

  @Test
  void aPasswordGivenInValuesAppearsOnlyInsideTheSecret() {
    String password = "pw-" + System.nanoTime();
    var chart = RenderedChart.render("database.password", password);
    assertThat(chart.yaml()).doesNotContain(password);
    String encoded = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));
    for (JsonNode object : chart.objects()) {
      boolean isSecret = object.path("kind").asText().equals("Secret");
      assertThat(RenderedChart.toJson(object).contains(encoded)).as(object.at("/metadata/name").asText()).isEqualTo(isSecret);
    }
  }

  @Test
  void generatedPasswordIsKeptAcrossUpgrades() {
    String first = RenderedChart.render().get("Secret", APP + "-db").at("/data/password").asText();
    String second = RenderedChart.render().get("Secret", APP + "-db").at("/data/password").asText();
    assertThat(first).as("a fresh install generates a password").isNotBlank().isNotEqualTo(second);

    // On an upgrade the Secret exists: the chart finds it (lookup) and keeps its password,
    // which is the one the database was initialised with.
    FakeKubernetesApi.putSecret(RenderedChart.NAMESPACE, APP + "-db", Map.of("password", first));
    try {
      assertThat(RenderedChart.render().get("Secret", APP + "-db").at("/data/password").asText()).isEqualTo(first);
    } finally {
      FakeKubernetesApi.clear();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everyPodMeetsTheRestrictedPodSecurityStandard(String name, String[] sets) {
    var chart = RenderedChart.render(sets);
    List<JsonNode> podSpecs = new ArrayList<>();
    Stream.of("Deployment", "StatefulSet", "Job").forEach(kind ->
        chart.ofKind(kind).forEach(o -> podSpecs.add(o.at("/spec/template/spec"))));
    chart.ofKind("Pod").forEach(pod -> podSpecs.add(pod.at("/spec")));
    assertThat(podSpecs).isNotEmpty();
    for (JsonNode spec : podSpecs) {
      assertThat(spec.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
      assertThat(spec.at("/securityContext/runAsUser").asInt()).isPositive();
      assertThat(spec.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
      assertThat(spec.at("/automountServiceAccountToken").asBoolean(true)).isFalse();
      for (JsonNode container : spec.path("containers")) {
        JsonNode security = container.path("securityContext");
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
        assertThat(container.at("/resources/limits/memory").isMissingNode()).as("memory limit").isFalse();
      }
    }
  }

  @Test
  void theServiceWritesOnlyToATmpEmptyDir() {
    JsonNode pod = RenderedChart.render().get("Deployment", APP).at("/spec/template/spec");
    assertThat(pod.path("volumes")).hasSize(1);
    assertThat(pod.at("/volumes/0/emptyDir").isObject()).as("an emptyDir, nothing from the node").isTrue();
    JsonNode mounts = pod.at("/containers/0/volumeMounts");
    assertThat(mounts).hasSize(1);
    assertThat(mounts.at("/0/mountPath").asText()).isEqualTo("/tmp");
    assertThat(pod.at("/containers/0/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
  }

  @Test
  void gracePeriodCoversTheServiceDrainAndShutdown() {
    JsonNode deployment = RenderedChart.render("app.shutdownDrainMs", "7000", "app.shutdownTimeoutMs", "30000")
        .get("Deployment", APP);
    assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt()).isGreaterThan(37);
  }

  @Test
  void dashboardConfigMapHoldsExactlyTheDashboardFile() throws Exception {
    String file = Files.readString(Path.of("resources", "dashboard.json"));
    JsonNode configMap = RenderedChart.render().get("ConfigMap", APP + "-dashboard");
    assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(configMap.at("/data/hw3.json").asText()).isEqualTo(file);
  }

  @Test
  void cloudNativePgModeRendersAClusterAndPointsTheServiceAtItsPrimaryAndItsSecret() {
    var chart = RenderedChart.render("database.mode", "cloudnative-pg", "networkPolicy.enabled", "true");
    String cluster = APP + "-pg";
    JsonNode spec = chart.get("Cluster", cluster).path("spec");
    assertThat(spec.path("instances").asInt()).isEqualTo(3);
    assertThat(spec.at("/bootstrap/initdb/database").asText()).isEqualTo("users");
    assertThat(spec.at("/bootstrap/initdb/owner").asText()).isEqualTo("users");
    assertThat(spec.at("/postgresql/synchronous/number").asInt()).as("a synchronous standby by default").isEqualTo(1);
    assertThat(spec.at("/postgresql/synchronous/dataDurability").asText()).isEqualTo("required");
    assertThat(chart.countByKind()).doesNotContainKey("StatefulSet");
    assertThat(chart.find("Service", APP + "-postgresql")).isEmpty();
    assertThat(chart.find("Secret", APP + "-db")).as("the operator makes the <cluster>-app Secret").isEmpty();
    assertThat(chart.ofKind("PodDisruptionBudget")).as("the operator makes the database's PDB")
        .allMatch(pdb -> pdb.at("/metadata/name").asText().equals(APP));

    assertThat(chart.get("ConfigMap", APP).at("/data/DB_HOST").asText()).isEqualTo(cluster + "-rw");
    for (JsonNode workload : List.of(chart.get("Deployment", APP), chart.ofKind("Job").getFirst())) {
      JsonNode password = workload.at("/spec/template/spec/containers/0/env/0");
      assertThat(password.path("name").asText()).isEqualTo("DB_PASSWORD");
      assertThat(password.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(cluster + "-app");
      assertThat(password.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("password");
    }
    JsonNode egress = chart.get("NetworkPolicy", APP).at("/spec/egress");
    assertThat(egress.toString()).contains("\"cnpg.io/cluster\":\"" + cluster + "\"");
    assertThat(chart.ofKind("NetworkPolicy")).as("no policy for pods the operator runs").hasSize(1);

    JsonNode podMonitor = chart.get("PodMonitor", cluster);
    assertThat(podMonitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(podMonitor.at("/spec/selector/matchLabels/cnpg.io~1cluster").asText()).isEqualTo(cluster);

    assertThatThrownBy(() -> RenderedChart.render("database.mode", "cloudnative-pg", "cloudnativePg.instances", "1"))
        .hasMessageContaining("synchronous.number must be smaller");
    var asynchronous = RenderedChart.render("database.mode", "cloudnative-pg", "cloudnativePg.synchronous.number", "0");
    assertThat(asynchronous.get("Cluster", cluster).at("/spec/postgresql").has("synchronous")).isFalse();
    assertThatThrownBy(() -> RenderedChart.render("database.mode", "postgres-operator")).hasMessageContaining("schema");
  }

  @Test
  void theClusterIsCheckedAgainstTheOperatorsOwnSchema() {
    JsonNode cluster = RenderedChart.render("database.mode", "cloudnative-pg").get("Cluster", APP + "-pg").deepCopy();
    assertThat(KubernetesModels.problems(cluster)).isEmpty();
    ((ObjectNode) cluster.path("spec")).put("instance", 3);
    assertThat(KubernetesModels.problems(cluster)).as("a misspelt field").isNotEmpty();
    JsonNode wrongType = RenderedChart.render("database.mode", "cloudnative-pg").get("Cluster", APP + "-pg").deepCopy();
    ((ObjectNode) wrongType.at("/spec/storage")).put("size", 1);
    ((ObjectNode) wrongType.path("spec")).put("instances", "three");
    assertThat(KubernetesModels.problems(wrongType)).as("values of the wrong type").hasSizeGreaterThanOrEqualTo(1);
  }

  @Test
  void theGatewayPathRendersItsClassGatewayRoutesAndMonitorsAndNoIngress() {
    var chart = RenderedChart.render(concat(GATEWAY_PATH, "keycloak.enabled", "true", "auth.enabled", "true",
        "auth.issuerAddress", "10.96.0.30"));
    assertThat(chart.find("Ingress", APP)).as("no Ingress on the Gateway path").isEmpty();

    JsonNode gatewayClass = chart.get("GatewayClass", "envoy-gateway");
    assertThat(gatewayClass.at("/spec/controllerName").asText()).isEqualTo("gateway.envoyproxy.io/gatewayclass-controller");
    assertThat(gatewayClass.at("/metadata/namespace").isMissingNode()).as("a GatewayClass is cluster-scoped").isTrue();
    JsonNode gateway = chart.get("Gateway", APP);
    assertThat(gateway.at("/spec/gatewayClassName").asText()).isEqualTo("envoy-gateway");
    JsonNode listener = gateway.at("/spec/listeners/0");
    assertThat(listener.path("port").asInt()).isEqualTo(80);
    assertThat(listener.path("protocol").asText()).isEqualTo("HTTP");
    assertThat(listener.path("hostname").asText()).isEqualTo("arch.homework");

    // The routes attach to that listener, for its host, and reach the Services the chart (and
    // the Keycloak Operator) name.
    Map<String, String> backends = Map.of(APP, APP, APP + "-keycloak", APP + "-keycloak-service");
    for (var route : backends.entrySet()) {
      JsonNode httpRoute = chart.get("HTTPRoute", route.getKey());
      assertThat(httpRoute.at("/spec/parentRefs/0/name").asText()).isEqualTo(gateway.at("/metadata/name").asText());
      assertThat(httpRoute.at("/spec/parentRefs/0/sectionName").asText()).isEqualTo(listener.path("name").asText());
      assertThat(httpRoute.at("/spec/hostnames/0").asText()).isEqualTo(listener.path("hostname").asText());
      assertThat(httpRoute.at("/spec/rules/0/backendRefs/0/name").asText()).isEqualTo(route.getValue());
    }
    assertThat(chart.get("HTTPRoute", APP + "-keycloak").at("/spec/rules/0/matches/0/path/value").asText()).isEqualTo("/auth");
    assertThat(chart.get("HTTPRoute", APP).at("/spec/rules/0/backendRefs/0/port").asInt())
        .isEqualTo(chart.get("Service", APP).at("/spec/ports/0/port").asInt());

    // Envoy Gateway's proxy: the EnvoyProxy the Gateway points to names its Service and type.
    JsonNode envoyProxy = chart.get("EnvoyProxy", gateway.at("/spec/infrastructure/parametersRef/name").asText());
    assertThat(gateway.at("/spec/infrastructure/parametersRef/kind").asText()).isEqualTo("EnvoyProxy");
    assertThat(envoyProxy.at("/spec/provider/kubernetes/envoyService/name").asText()).isEqualTo("hw3-" + APP);
    assertThat(envoyProxy.at("/spec/provider/kubernetes/envoyService/type").asText()).isEqualTo("NodePort");

    // Envoy lets an idle connection to the service go before the service closes it.
    JsonNode policy = chart.get("BackendTrafficPolicy", APP);
    assertThat(policy.at("/spec/targetRefs").findValuesAsText("name")).containsExactly(APP, APP + "-keycloak");
    Duration envoyIdle = Duration.parse("PT" + policy.at("/spec/timeout/http/connectionIdleTimeout").asText());
    assertThat(envoyIdle).isLessThan(Config.from(Map.of()).idleTimeout());

    // Its metrics: the labels Envoy Gateway puts on this Gateway's proxy pods and on its
    // controller, their "metrics" port (19001) and paths, in its namespace, selected by Prometheus.
    JsonNode proxy = chart.get("PodMonitor", APP + "-gateway-proxy");
    Map<String, String> proxyLabels = new java.util.TreeMap<>();
    proxy.at("/spec/selector/matchLabels").fields().forEachRemaining(e -> proxyLabels.put(e.getKey(), e.getValue().asText()));
    assertThat(proxyLabels).isEqualTo(Map.of("app.kubernetes.io/name", "envoy", "app.kubernetes.io/component", "proxy",
        "gateway.envoyproxy.io/owning-gateway-name", APP, "gateway.envoyproxy.io/owning-gateway-namespace", "hw3"));
    assertThat(proxy.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/stats/prometheus");
    JsonNode controller = chart.get("PodMonitor", APP + "-gateway-controller");
    assertThat(controller.at("/spec/selector/matchLabels/control-plane").asText()).isEqualTo("envoy-gateway");
    assertThat(controller.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/metrics");
    for (JsonNode monitor : List.of(proxy, controller)) {
      assertThat(monitor.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("metrics");
      assertThat(monitor.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("envoy-gateway-system");
      assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    }

    // The app takes traffic from the proxies' namespace, and reaches the issuer through them on
    // the port their pods listen on.
    JsonNode networkPolicy = chart.get("NetworkPolicy", APP);
    assertThat(networkPolicy.at("/spec/ingress/0/from").findValuesAsText("kubernetes.io/metadata.name")).contains("envoy-gateway-system");
    assertThat(networkPolicy.at("/spec/egress").findValuesAsText("port")).contains("80", "10080");
    assertThat(chart.get("Deployment", APP).at("/spec/template/spec/hostAliases/0/ip").asText()).isEqualTo("10.96.0.30");
  }

  @Test
  void theGatewayObjectsAreCheckedAgainstTheirOwnSchemas() {
    var chart = RenderedChart.render(GATEWAY_PATH);
    JsonNode gateway = chart.get("Gateway", APP).deepCopy();
    ((ObjectNode) gateway.at("/spec/listeners/0")).put("port", "eighty");
    assertThat(KubernetesModels.problems(gateway)).as("a listener port that is not a number").isNotEmpty();
    JsonNode gatewayClass = chart.get("GatewayClass", "envoy-gateway").deepCopy();
    ((ObjectNode) gatewayClass.path("spec")).put("controller", "gateway.envoyproxy.io/gatewayclass-controller");
    assertThat(KubernetesModels.problems(gatewayClass)).as("a misspelt field").isNotEmpty();
    JsonNode envoyProxy = chart.get("EnvoyProxy", APP).deepCopy();
    ((ObjectNode) envoyProxy.at("/spec/provider/kubernetes/envoyService")).put("type", "Ingress");
    assertThat(KubernetesModels.problems(envoyProxy)).as("a Service type Envoy Gateway does not know").isNotEmpty();
    assertThat(KubernetesModels.problems(chart.get("EnvoyProxy", APP))).isEmpty();
  }

  @Test
  void theGatewayApiRouteSendsItsHostsToTheService() {
    var chart = RenderedChart.render("httpRoute.enabled", "true", "httpRoute.parentRefs[0].name", "public",
        "httpRoute.parentRefs[0].namespace", "gateway-system");
    JsonNode route = chart.get("HTTPRoute", APP);
    assertThat(route.at("/spec/parentRefs/0/name").asText()).isEqualTo("public");
    assertThat(route.at("/spec/hostnames/0").asText()).isEqualTo("arch.homework");
    assertThat(route.at("/spec/rules/0/backendRefs/0/name").asText()).isEqualTo(chart.get("Service", APP)
        .at("/metadata/name").asText());
    assertThat(route.at("/spec/rules/0/backendRefs/0/port").asInt()).isEqualTo(chart.get("Service", APP)
        .at("/spec/ports/0/port").asInt());
    assertThat(chart.find("Ingress", APP)).as("the Ingress stays unless turned off").isPresent();
    assertThat(RenderedChart.render().find("HTTPRoute", APP)).isEmpty();
    assertThatThrownBy(() -> RenderedChart.render("httpRoute.enabled", "true")).hasMessageContaining("parentRefs");
    JsonNode broken = route.deepCopy();
    ((ObjectNode) broken.at("/spec/rules/0/backendRefs/0")).put("port", "http");
    assertThat(KubernetesModels.problems(broken)).as("the Gateway API schema wants a port number").isNotEmpty();
  }

  @Test
  void tracingSetsTheStandardVariablesAndOpensEgressToTheCollectorOnlyWhenOn() {
    var off = RenderedChart.render("networkPolicy.enabled", "true");
    assertThat(off.get("ConfigMap", APP).at("/data").has("OTEL_EXPORTER_OTLP_ENDPOINT")).isFalse();
    assertThat(egressPorts(off)).containsExactlyInAnyOrder("53", "53", "5432");

    var on = RenderedChart.render("tracing.enabled", "true", "tracing.samplerRatio", "0.5", "networkPolicy.enabled", "true");
    JsonNode data = on.get("ConfigMap", APP).at("/data");
    assertThat(data.path("OTEL_EXPORTER_OTLP_ENDPOINT").asText()).isEqualTo("http://tempo.monitoring.svc:4318");
    assertThat(data.path("OTEL_EXPORTER_OTLP_PROTOCOL").asText()).isEqualTo("http/protobuf");
    assertThat(data.path("OTEL_TRACES_SAMPLER").asText()).isEqualTo("parentbased_traceidratio");
    assertThat(data.path("OTEL_TRACES_SAMPLER_ARG").asText()).isEqualTo("0.5");
    assertThat(data.path("OTEL_SERVICE_NAME").asText()).isEqualTo(APP);
    assertThat(egressPorts(on)).containsExactlyInAnyOrder("53", "53", "5432", "4318");

    var https = RenderedChart.render("tracing.enabled", "true", "tracing.endpoint", "https://collector.example.com",
        "networkPolicy.enabled", "true", "postgresql.enabled", "false", "database.host", "db.example.com");
    assertThat(egressPorts(https)).containsExactlyInAnyOrder("53", "53", "5432", "443");
    assertThatThrownBy(() -> RenderedChart.render("tracing.samplerRatio", "2")).hasMessageContaining("schema");
    assertThatThrownBy(() -> RenderedChart.render("tracing.endpoint", "tempo:4318")).hasMessageContaining("schema");
  }

  private static List<String> egressPorts(RenderedChart chart) {
    List<String> ports = new ArrayList<>();
    chart.get("NetworkPolicy", APP).at("/spec/egress")
        .forEach(rule -> rule.path("ports").forEach(port -> ports.add(port.path("port").asText())));
    return ports;
  }

  @Test
  void variantsRenderWhatTheyAskFor() {
    assertThat(RenderedChart.render("ingress.enabled", "false").ofKind("Ingress")).isEmpty();
    var external = RenderedChart.render("postgresql.enabled", "false", "database.host", "db.example.com");
    assertThat(external.ofKind("StatefulSet")).isEmpty();
    assertThat(external.get("ConfigMap", APP).at("/data/DB_HOST").asText()).isEqualTo("db.example.com");
    var scaled = RenderedChart.render("autoscaling.enabled", "true", "networkPolicy.enabled", "true");
    assertThat(scaled.countByKind()).containsEntry("HorizontalPodAutoscaler", 1L).containsEntry("NetworkPolicy", 2L)
        .containsEntry("PodDisruptionBudget", 1L);
    assertThat(RenderedChart.render("replicaCount", "1").ofKind("PodDisruptionBudget")).as("no PDB for one replica").isEmpty();
    var existing = RenderedChart.render("database.existingSecret", "my-db-credentials");
    assertThat(existing.ofKind("Secret")).isEmpty();
  }

  @Test
  void externalDatabaseWithoutAHostIsRefused() {
    assertThatThrownBy(() -> RenderedChart.render("postgresql.enabled", "false"))
        .hasMessageContaining("database.host is required");
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void valuesSchemaRejectsABadValue(String key, String value) {
    assertThatThrownBy(() -> RenderedChart.render(key, value)).hasMessageContaining("schema");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(Arguments.of("replicaCount", "two"), Arguments.of("ingress.enabeld", "true"),
        Arguments.of("service.port", "70000"), Arguments.of("image.pullPolicy", "Sometimes"),
        Arguments.of("app.logLevel", "LOUD"), Arguments.of("metrics.prometheusRule.errorRatioThreshold", "2"));
  }

  private static Set<String> portNames(JsonNode workload) {
    Set<String> names = new HashSet<>();
    workload.at("/spec/template/spec/containers").forEach(c -> c.path("ports").forEach(p -> names.add(p.path("name").asText())));
    return names;
  }

  private static void assertSubset(JsonNode selector, JsonNode labels) {
    assertThat(selector.isObject() && !selector.isEmpty()).as("selector " + selector).isTrue();
    Map<String, String> wanted = new HashMap<>();
    selector.fields().forEachRemaining(e -> wanted.put(e.getKey(), e.getValue().asText()));
    Map<String, String> present = new HashMap<>();
    labels.fields().forEachRemaining(e -> present.put(e.getKey(), e.getValue().asText()));
    assertThat(present).containsAllEntriesOf(wanted);
  }

  private static Set<String> combine(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }
}
