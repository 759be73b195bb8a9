package dev.userservice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart of every earlier release (from the commit CHANGELOG.md names) against this one, both
 * rendered by the Helm 4 CLI with their defaults: nothing `helm upgrade` cannot apply to a live
 * object may change between them (a selector, a StatefulSet's serviceName or volumeClaimTemplates,
 * a Service's type or clusterIP, a Job's pod template under the same name), and this release
 * keeps the settings that make an upgrade gapless.
 */
class ChartAcrossReleasesIT {
  private static final Path HELM = Path.of("target", "helm-cli", "4", "helm");

  @Test
  void anUpgradeFromEveryEarlierReleaseChangesNothingKubernetesRefusesToUpdate() throws Exception {
    requireHelm();
    Map<String, JsonNode> current = byKindAndName(render(Path.of(".")));
    Map<String, String> releases = releases();
    assertThat(releases).containsKeys("1.0.0", "1.1.0", "1.2.0");
    for (var release : releases.entrySet()) {
      Path tree = Files.createTempDirectory("user-service-" + release.getKey() + "-");
      Tools.Result extracted = Tools.run(Path.of("."), 120, "sh", "-c",
          "git archive " + release.getValue() + " | tar -x -C " + tree);
      assertThat(extracted.exitCode()).as(extracted.output()).isZero();
      Map<String, JsonNode> earlier = byKindAndName(render(tree));
      List<String> refused = new ArrayList<>();
      earlier.forEach((key, before) -> {
        JsonNode after = current.get(key);
        // The migration Job's name ends in the release's revision (helm template renders revision
        // 1): an upgrade makes a Job of another name, so its template may change.
        boolean renamedOnUpgrade = key.startsWith("Job/") && key.endsWith("-1");
        if (after != null && !renamedOnUpgrade) {
          refused.addAll(immutableChanges(key, before, after));
        }
      });
      System.out.printf("chart %s (%s) -> this one: %d objects in both, changes helm upgrade cannot apply: %s%n",
          release.getKey(), release.getValue(), earlier.keySet().stream().filter(current::containsKey).count(), refused);
      assertThat(refused).as("from " + release.getKey()).isEmpty();
    }
  }

  @Test
  void theCheckSeesWhatAnUpgradeCannotChange() throws Exception {
    requireHelm();
    Map<String, JsonNode> objects = byKindAndName(render(Path.of(".")));
    String key = "StatefulSet/" + RenderedChart.RELEASE + "-postgresql";
    var renamed = (com.fasterxml.jackson.databind.node.ObjectNode) objects.get(key).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) renamed.path("spec")).put("serviceName", "elsewhere");
    assertThat(immutableChanges(key, objects.get(key), renamed)).singleElement().asString().contains("/spec/serviceName");
    String service = "Service/" + RenderedChart.RELEASE;
    var retyped = (com.fasterxml.jackson.databind.node.ObjectNode) objects.get(service).deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) retyped.path("spec")).put("type", "NodePort");
    assertThat(immutableChanges(service, objects.get(service), retyped)).singleElement().asString().contains("/spec/type");
  }

  @Test
  void theDeploymentRollsWithoutAGap() throws Exception {
    requireHelm();
    Map<String, JsonNode> objects = byKindAndName(render(Path.of(".")));
    JsonNode deployment = objects.get("Deployment/" + RenderedChart.RELEASE);
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).as("no pod leaves before its successor is ready").isZero();
    assertThat(deployment.at("/spec/strategy/rollingUpdate/maxSurge").asInt()).isPositive();
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).as("traffic only once the schema is there").isEqualTo("/ready");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health");
    Map<String, String> config = new LinkedHashMap<>();
    objects.get("ConfigMap/" + RenderedChart.RELEASE).path("data").fields()
        .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
    long drainAndFinish = (Long.parseLong(config.get("SHUTDOWN_DRAIN_MS")) + Long.parseLong(config.get("SHUTDOWN_TIMEOUT_MS"))) / 1000;
    assertThat(pod.path("terminationGracePeriodSeconds").asLong()).as("the kubelet waits for the drain and the last requests")
        .isGreaterThan(drainAndFinish);
    // A Job's pod template cannot change under the same name: the migration Job's name carries the revision.
    assertThat(objects.keySet()).anyMatch(key -> key.equals("Job/" + RenderedChart.RELEASE + "-migrate-1"));
  }

  private static void requireHelm() {
    if (!Files.isExecutable(HELM)) {
      Tools.require(HELM + " (run scripts/get-helm-clis.sh)"); // skips here, fails in CI
    }
  }

  /** What Kubernetes refuses to change on a live object, by kind. */
  private static List<String> immutableChanges(String key, JsonNode before, JsonNode after) {
    List<String> refused = new ArrayList<>();
    String kind = key.substring(0, key.indexOf('/'));
    List<String> fields = switch (kind) {
      case "Deployment" -> List.of("/spec/selector");
      case "StatefulSet" -> List.of("/spec/selector", "/spec/serviceName", "/spec/volumeClaimTemplates/0/metadata/name",
          "/spec/volumeClaimTemplates/0/spec");
      case "Service" -> List.of("/spec/type", "/spec/clusterIP");
      case "Job" -> List.of("/spec/template", "/spec/selector");
      case "PersistentVolumeClaim" -> List.of("/spec/accessModes", "/spec/storageClassName");
      default -> List.of();
    };
    for (String field : fields) {
      if (!before.at(field).equals(after.at(field))) {
        refused.add(key + field + ": " + before.at(field) + " -> " + after.at(field));
      }
    }
    if (kind.equals("StatefulSet") && before.at("/spec/volumeClaimTemplates").size() != after.at("/spec/volumeClaimTemplates").size()) {
      refused.add(key + "/spec/volumeClaimTemplates: " + before.at("/spec/volumeClaimTemplates").size() + " -> "
          + after.at("/spec/volumeClaimTemplates").size() + " templates");
    }
    return refused;
  }

  /** The releases CHANGELOG.md names, with their commits. */
  private static Map<String, String> releases() throws Exception {
    Map<String, String> releases = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^\\[(\\d+\\.\\d+\\.\\d+)]: ([0-9a-f]{7,40})$").matcher(Files.readString(Path.of("CHANGELOG.md")));
    while (m.find()) {
      releases.put(m.group(1), m.group(2));
    }
    return releases;
  }

  private static List<JsonNode> render(Path root) {
    Tools.Result rendered = Tools.run(root, 120, HELM.toAbsolutePath().toString(), "template", RenderedChart.RELEASE,
        "helm/user-service", "--namespace", RenderedChart.NAMESPACE);
    assertThat(rendered.exitCode()).as(rendered.output()).isZero();
    String yaml = rendered.output().lines().filter(l -> !l.startsWith("level=")).reduce("", (a, b) -> a + b + "\n");
    return RenderedChart.parse(yaml);
  }

  private static Map<String, JsonNode> byKindAndName(List<JsonNode> objects) {
    Map<String, JsonNode> byKey = new LinkedHashMap<>();
    for (JsonNode object : objects) {
      byKey.put(object.path("kind").asText() + "/" + object.at("/metadata/name").asText(), object);
    }
    return byKey;
  }
}
