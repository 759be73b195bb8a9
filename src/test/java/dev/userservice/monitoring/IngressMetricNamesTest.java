package dev.userservice.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userservice.ObservabilityIT;
import dev.userservice.support.RenderedChart;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every ingress metric the dashboard and the alerts read is one its proxy documents, of the type
 * the query treats it as (a _bucket series only of a histogram). Neither proxy runs here, so the
 * names are checked against their projects' own documentation, vendored under
 * src/test/resources/metric-docs (see the README there): ingress-nginx's list of exposed metrics,
 * and Envoy's per-cluster statistics as its /stats/prometheus names them.
 */
class IngressMetricNamesTest {
  private static final Pattern METRIC = Pattern.compile("\\b((?:nginx_ingress_controller|envoy)_[a-z0-9_]+)\\{");

  /**
   * Envoy's statistics rooted at cluster.&lt;name&gt;., by their names in /stats/prometheus (after
   * the "envoy_cluster_" prefix), and their types. Envoy's default tag extractors take the
   * response code and its class out of a name into labels: upstream_rq_5xx becomes upstream_rq_xx
   * with envoy_response_code_class="5", upstream_rq_503 becomes upstream_rq with envoy_response_code="503".
   */
  private static final Map<String, String> ENVOY_CLUSTER_STATS = envoyClusterStats();

  /** The metrics ingress-nginx's monitoring guide lists under "Exposed metrics", with their types. */
  private static final Map<String, String> INGRESS_NGINX_METRICS = ingressNginxMetrics();

  @Test
  void everyIngressMetricTheDashboardAndAlertsReadIsDocumented() throws IOException {
    TreeSet<String> used = new TreeSet<>();
    for (String expr : queries()) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        used.add(m.group(1));
      }
    }
    System.out.println("ingress metrics read by the dashboard and alerts: " + used);
    assertThat(used).as("the ingress row reads both proxies").anyMatch(n -> n.startsWith("nginx_"))
        .anyMatch(n -> n.startsWith("envoy_"));
    List<String> problems = new ArrayList<>();
    used.forEach(name -> problem(name).ifPresent(problems::add));
    assertThat(problems).isEmpty();
  }

  @Test
  void theCheckRefusesNamesNeitherProxyPublishes() {
    assertThat(problem("envoy_cluster_upstream_rq_totals")).as("a misspelt counter").isPresent();
    assertThat(problem("envoy_cluster_upstream_rq_total_bucket")).as("a counter read as a histogram").isPresent();
    assertThat(problem("envoy_http_downstream_rq_total")).as("a statistic of another tree").isPresent();
    assertThat(problem("nginx_ingress_controller_request_total")).as("ingress-nginx's is _requests").isPresent();
    assertThat(problem("nginx_ingress_controller_requests_bucket")).as("a counter read as a histogram").isPresent();
    assertThat(problem("envoy_cluster_upstream_rq_xx")).isEmpty();
    assertThat(problem("nginx_ingress_controller_request_duration_seconds_count")).isEmpty();
  }

  /** Why {@code name} is not a documented metric of the right type; empty when it is. */
  private static Optional<String> problem(String name) {
    Map<String, String> documented;
    String metric;
    if (name.startsWith("envoy_cluster_")) {
      documented = ENVOY_CLUSTER_STATS;
      metric = name.substring("envoy_cluster_".length());
    } else if (name.startsWith("nginx_ingress_controller_")) {
      documented = INGRESS_NGINX_METRICS;
      metric = name;
    } else {
      return Optional.of(name + ": not a per-cluster statistic of Envoy nor an ingress-nginx metric");
    }
    if (documented.containsKey(metric)) {
      return documented.get(metric).equals("Histogram")
          ? Optional.of(name + ": a histogram, read only through its _bucket, _sum or _count series")
          : Optional.empty();
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
      if (metric.endsWith(suffix)) {
        String base = metric.substring(0, metric.length() - suffix.length());
        if ("Histogram".equals(documented.get(base))) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(name + ": not in " + (documented == ENVOY_CLUSTER_STATS
        ? "Envoy's cluster statistics" : "ingress-nginx's exposed metrics"));
  }

  private static Map<String, String> envoyClusterStats() {
    Map<String, String> stats = new TreeMap<>();
    Matcher row = Pattern.compile("(?m)^  ([a-z0-9_<>\\\\*]+), (Counter|Gauge|Histogram),").matcher(resource("envoy-cluster_stats.rst"));
    while (row.find()) {
      String stat = row.group(1).replace("_<\\*xx>", "_xx").replace("_<\\*>", "");
      stats.put(stat, row.group(2));
    }
    assertThat(stats).as("the vendored tables").containsEntry("upstream_rq_total", "Counter").hasSizeGreaterThan(80);
    return stats;
  }

  private static Map<String, String> ingressNginxMetrics() {
    Map<String, String> metrics = new TreeMap<>();
    Matcher item = Pattern.compile("(?m)^\\* `(nginx_ingress_controller_[a-z_]+)` (Counter|Gauge|Histogram)")
        .matcher(resource("ingress-nginx-monitoring.md"));
    while (item.find()) {
      metrics.put(item.group(1), item.group(2));
    }
    assertThat(metrics).as("the vendored guide").containsEntry("nginx_ingress_controller_requests", "Counter")
        .hasSizeGreaterThan(5);
    return metrics;
  }

  /** Every query of the dashboard and of the rendered alert rules. */
  private static List<String> queries() throws IOException {
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : ObservabilityIT.dashboard().path("panels")) {
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
    }
    for (JsonNode rules : RenderedChart.render().ofKind("PrometheusRule")) {
      rules.at("/spec/groups").forEach(g -> g.path("rules").forEach(r -> exprs.add(r.path("expr").asText())));
    }
    assertThat(exprs).hasSizeGreaterThan(40);
    return exprs;
  }

  private static String resource(String name) {
    try (InputStream in = IngressMetricNamesTest.class.getClassLoader().getResourceAsStream("metric-docs/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
