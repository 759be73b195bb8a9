package dev.userservice.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userservice.support.KubernetesModels;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart under the real Helm 3 and Helm 4 command lines (scripts/get-helm-clis.sh puts them in
 * target/helm-cli): lint --strict with each, every variant of ChartTest rendered by each and
 * validated like the others, and Helm 4's output the same as Helm 3's.
 */
class HelmCliIT {
  private static final Path CLIS = Path.of("target", "helm-cli");

  @BeforeAll
  static void clis() {
    if (!Files.isExecutable(CLIS.resolve("3/helm")) || !Files.isExecutable(CLIS.resolve("4/helm"))) {
      Tools.require("target/helm-cli/3/helm (run scripts/get-helm-clis.sh)"); // skips here, fails in CI
    }
  }

  @Test
  void bothMajorsLintTheChartStrictly() {
    for (String major : List.of("3", "4")) {
      var lint = Tools.run(Path.of("."), 120, helm(major), "lint", "--strict", RenderedChart.CHART.toString());
      assertThat(lint.exitCode()).as("Helm " + major + ":\n" + lint.output()).isZero();
      assertThat(lint.output()).as("Helm " + major).contains("1 chart(s) linted, 0 chart(s) failed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.userservice.chart.ChartTest#variants")
  void everyVariantRendersTheSameUnderHelm3AndHelm4AndValidates(String name, String[] sets) throws IOException {
    List<JsonNode> helm3 = template("3", sets);
    List<JsonNode> helm4 = template("4", sets);
    List<String> problems = new ArrayList<>();
    for (JsonNode object : helm4) {
      problems.addAll(KubernetesModels.problems(object));
    }
    assertThat(problems).as("Helm 4's objects against their API models").isEmpty();
    assertThat(helm4.stream().map(HelmCliIT::withoutRandomSecrets).toList()).as("Helm 4 renders what Helm 3 renders")
        .isEqualTo(helm3.stream().map(HelmCliIT::withoutRandomSecrets).toList());
    assertThat(helm4).isNotEmpty();
  }

  private static List<JsonNode> template(String major, String[] sets) throws IOException {
    List<String> command = new ArrayList<>(List.of(helm(major), "template", RenderedChart.RELEASE,
        RenderedChart.CHART.toString(), "--namespace", RenderedChart.NAMESPACE,
        "--kube-version", RenderedChart.KUBE_VERSION));
    for (int i = 0; i < sets.length; i += 2) {
      command.addAll(List.of("--set", sets[i] + "=" + sets[i + 1]));
    }
    // The manifests on stdout; stderr has Helm's notes (such as following the dashboard's link).
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    process.getOutputStream().close();
    var stderr = process.getErrorStream();
    String manifests = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String notes = new String(stderr.readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    assertThat(process.exitValue()).as("Helm " + major + ": " + notes).isZero();
    List<JsonNode> objects = new ArrayList<>(RenderedChart.parse(manifests));
    // In the order of kind and name, so the comparison does not depend on the order of output.
    objects.sort((a, b) -> key(a).compareTo(key(b)));
    return objects;
  }

  /**
   * A generated password differs on every render: compare the keys of a Secret, not its values,
   * and not the checksum of the Secret that pods carry to restart when it changes.
   */
  private static JsonNode withoutRandomSecrets(JsonNode original) {
    JsonNode object = original.deepCopy();
    if (object.at("/spec/template/metadata/annotations") instanceof ObjectNode annotations
        && annotations.has("checksum/secret")) {
      annotations.put("checksum/secret", "(generated)");
    }
    if (object.path("kind").asText().equals("Secret") && object.path("data").isObject()) {
      ObjectNode data = (ObjectNode) object.path("data");
      TreeMap<String, String> masked = new TreeMap<>();
      for (Iterator<String> keys = data.fieldNames(); keys.hasNext(); ) {
        masked.put(keys.next(), "(generated)");
      }
      data.removeAll();
      masked.forEach(data::put);
    }
    return object;
  }

  private static String key(JsonNode object) {
    return object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
  }

  private static String helm(String major) {
    return CLIS.resolve(major).resolve("helm").toAbsolutePath().toString();
  }
}
