package dev.userservice.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The chart's PrometheusRule, as rendered, checked and unit-tested with promtool. */
class AlertRulesIT {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final Path TESTS = Path.of("src/test/resources/promtool/alerts.test.yml");

  @Test
  void rulesPassPromtoolCheckAndTheirUnitTests() throws Exception {
    Tools.require("promtool");
    Path dir = Path.of("target", "promtool");
    RenderedChart.writePrometheusRules(dir.resolve("rules.yml"));
    Files.copy(TESTS, dir.resolve("alerts.test.yml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    var check = Tools.run(dir, 60, "promtool", "check", "rules", "rules.yml");
    System.out.println(check.output());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: 12 rules found");

    var test = Tools.run(dir, 120, "promtool", "test", "rules", "alerts.test.yml");
    System.out.println(test.output());
    assertThat(test.exitCode()).as(test.output()).isZero();
  }

  @Test
  void everyAlertHasACaseWhereItFiresAndOneWhereItStaysQuiet() throws Exception {
    Set<String> alerts = new HashSet<>();
    renderedRulesTree().at("/groups/0/rules").forEach(r -> alerts.add(r.path("alert").asText()));
    Set<String> fires = new HashSet<>();
    Set<String> quiet = new HashSet<>();
    for (JsonNode test : YAML.readTree(TESTS.toFile()).path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        (check.path("exp_alerts").isEmpty() ? quiet : fires).add(check.path("alertname").asText());
      }
    }
    assertThat(alerts).hasSize(12);
    assertThat(fires).as("alerts with a firing case").containsAll(alerts);
    assertThat(quiet).as("alerts with a quiet case").containsAll(alerts);
  }

  @Test
  void everyAlertHasForSeveritySummaryAndDescription() throws Exception {
    for (JsonNode rule : renderedRulesTree().at("/groups/0/rules")) {
      assertThat(rule.has("for")).as(rule.path("alert").asText()).isTrue();
      assertThat(rule.at("/labels/severity").asText()).isIn("warning", "critical");
      assertThat(rule.at("/annotations/summary").asText()).isNotBlank();
      assertThat(rule.at("/annotations/description").asText()).isNotBlank();
    }
  }

  private static JsonNode renderedRulesTree() throws Exception {
    return YAML.readTree(RenderedChart.writePrometheusRules(Path.of("target", "promtool-tree", "rules.yml")).toFile());
  }
}
