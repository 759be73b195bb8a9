package dev.userservice.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userservice.ObservabilityIT;
import dev.userservice.support.Await;
import dev.userservice.support.Prometheus;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.Tools;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's ingress row on each entry's own series: ingress-nginx's (the default path) and
 * Envoy's (INGRESS=envoy-gateway), named and labelled as each publishes them and its monitor
 * scrapes them. Neither proxy runs here, so ten minutes of their series, at rates chosen to give
 * known answers, are backfilled into a TSDB ({@code promtool tsdb create-blocks-from openmetrics});
 * a real Prometheus serves it, and every query of the row runs as Grafana sends it. Each set must
 * fill its own queries with the expected figures, per route, and leave the other set's empty.
 */
class IngressRowIT {
  /** The last sample's time: a fixed instant (2026-05-28), so the figures never depend on the clock. */
  private static final long END = 1_780_000_000L;
  private static final int STEP_SECONDS = 15;
  private static final int SAMPLES = 41; // ten minutes

  /** One series: a counter growing at {@code perSecond}. */
  private record Series(String name, Map<String, String> labels, double perSecond) {
  }

  @Test
  void ingressNginxSeriesFillTheRowPerIngressPath() throws Exception {
    List<Series> series = new ArrayList<>();
    Map<String, String> app = nginx("/", "user-service");
    series.add(new Series("nginx_ingress_controller_requests", with(app, "method", "GET", "status", "200"), 2));
    series.add(new Series("nginx_ingress_controller_requests", with(app, "method", "GET", "status", "404"), 1));
    series.add(new Series("nginx_ingress_controller_requests", with(app, "method", "POST", "status", "500"), 1));
    Map<String, String> keycloak = nginx("/auth", "user-service-keycloak-service");
    series.add(new Series("nginx_ingress_controller_requests", with(keycloak, "method", "GET", "status", "200"), 1));
    // Another host's traffic, which the row must leave out ($host).
    series.add(new Series("nginx_ingress_controller_requests",
        with(nginx("/", "other"), "host", "other.example", "method", "GET", "status", "500"), 9));
    buckets(series, "nginx_ingress_controller_request_duration_seconds_bucket", app, new String[] {"0.01", "0.05", "+Inf"},
        new double[] {0, 4, 4});
    buckets(series, "nginx_ingress_controller_request_duration_seconds_bucket", keycloak, new String[] {"0.05", "0.1", "+Inf"},
        new double[] {0, 1, 1});

    Map<String, Map<String, Double>> expected = new LinkedHashMap<>();
    expected.put("ingress-nginx {{path}}", Map.of("/", 4.0, "/auth", 1.0));
    expected.put("5xx {{path}}", Map.of("/", 0.25, "/auth", 0.0));
    expected.put("4xx {{path}}", Map.of("/", 0.25, "/auth", 0.0));
    // All of "/" between 10 and 50 ms, all of "/auth" between 50 and 100 ms: interpolated within.
    expected.put("p50 {{path}}", Map.of("/", 0.03, "/auth", 0.075));
    expected.put("p95 {{path}}", Map.of("/", 0.048, "/auth", 0.0975));
    expected.put("p99 {{path}}", Map.of("/", 0.0496, "/auth", 0.0995));
    checkRow(series, expected, "envoy_");
  }

  @Test
  void envoySeriesFillTheRowPerRoute() throws Exception {
    // The routes the chart renders on the Gateway path, as Envoy Gateway names their clusters.
    var chart = RenderedChart.render("gateway.enabled", "true", "ingress.enabled", "false",
        "keycloak.enabled", "true", "auth.enabled", "true");
    List<String> clusters = chart.ofKind("HTTPRoute").stream()
        .map(r -> "httproute/" + r.at("/metadata/namespace").asText() + "/" + r.at("/metadata/name").asText() + "/rule/0")
        .sorted().toList();
    assertThat(clusters).containsExactly("httproute/hw3/user-service-keycloak/rule/0", "httproute/hw3/user-service/rule/0");
    String app = clusters.get(1);
    String keycloak = clusters.get(0);

    List<Series> series = new ArrayList<>();
    series.add(new Series("envoy_cluster_upstream_rq_total", envoy(app), 4));
    series.add(new Series("envoy_cluster_upstream_rq_xx", with(envoy(app), "envoy_response_code_class", "2"), 2));
    series.add(new Series("envoy_cluster_upstream_rq_xx", with(envoy(app), "envoy_response_code_class", "4"), 1));
    series.add(new Series("envoy_cluster_upstream_rq_xx", with(envoy(app), "envoy_response_code_class", "5"), 1));
    series.add(new Series("envoy_cluster_upstream_rq_total", envoy(keycloak), 1));
    series.add(new Series("envoy_cluster_upstream_rq_xx", with(envoy(keycloak), "envoy_response_code_class", "2"), 1));
    // Clusters that are not this namespace's routes: another namespace's, and Envoy Gateway's xDS one.
    series.add(new Series("envoy_cluster_upstream_rq_total", envoy("httproute/other/shop/rule/0"), 7));
    series.add(new Series("envoy_cluster_upstream_rq_xx",
        with(envoy("httproute/other/shop/rule/0"), "envoy_response_code_class", "5"), 7));
    series.add(new Series("envoy_cluster_upstream_rq_total", envoy("xds_cluster"), 3));
    // Envoy's request time is in milliseconds: the same spread as the other test's, in ms.
    buckets(series, "envoy_cluster_upstream_rq_time_bucket", envoy(app), new String[] {"10", "50", "+Inf"}, new double[] {0, 4, 4});
    buckets(series, "envoy_cluster_upstream_rq_time_bucket", envoy(keycloak), new String[] {"50", "100", "+Inf"},
        new double[] {0, 1, 1});

    Map<String, Map<String, Double>> expected = new LinkedHashMap<>();
    expected.put("envoy {{envoy_cluster_name}}", Map.of(app, 4.0, keycloak, 1.0));
    expected.put("5xx {{envoy_cluster_name}}", Map.of(app, 0.25, keycloak, 0.0));
    expected.put("4xx {{envoy_cluster_name}}", Map.of(app, 0.25, keycloak, 0.0));
    expected.put("p50 {{envoy_cluster_name}}", Map.of(app, 0.03, keycloak, 0.075));
    expected.put("p95 {{envoy_cluster_name}}", Map.of(app, 0.048, keycloak, 0.0975));
    expected.put("p99 {{envoy_cluster_name}}", Map.of(app, 0.0496, keycloak, 0.0995));
    checkRow(series, expected, "nginx_ingress_controller_");
  }

  /**
   * Serves {@code series} from a real Prometheus and runs every query of the ingress row: those
   * whose legend {@code expected} names must give its figures, per the legend's label; those on
   * the other entry's metrics ({@code otherPrefix}) must give nothing.
   */
  private static void checkRow(List<Series> series, Map<String, Map<String, Double>> expected, String otherPrefix)
      throws Exception {
    Tools.require("promtool", "prometheus");
    Path work = Files.createTempDirectory(Path.of("target"), "ingress-row");
    Files.writeString(work.resolve("series.om"), openMetrics(series));
    var backfill = Tools.run(work, 120, "promtool", "tsdb", "create-blocks-from", "openmetrics", "series.om", "tsdb");
    assertThat(backfill.exitCode()).as(backfill.output()).isZero();
    Files.writeString(work.resolve("prometheus.yml"), "global: {}\n");
    int port = Tools.freePort();
    Process prometheus = new ProcessBuilder("prometheus", "--config.file=prometheus.yml", "--storage.tsdb.path=tsdb",
        "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:" + port)
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    try {
      Prometheus api = new Prometheus("http://127.0.0.1:" + port);
      Await.until("Prometheus serving the backfilled series", () -> answers(api), Duration.ofSeconds(60));
      Map<String, Map<String, Double>> found = new LinkedHashMap<>();
      int empty = 0;
      for (JsonNode target : rowTargets()) {
        String legend = target.path("legendFormat").asText();
        String expr = ObservabilityIT.substitute(target.path("expr").asText());
        var result = api.query(expr, END);
        if (expr.contains(otherPrefix)) {
          assertThat(result).as("the other entry's query " + legend + " on this entry's series").isEmpty();
          empty++;
          continue;
        }
        Map<String, Double> values = new TreeMap<>();
        String label = legendLabel(legend);
        result.forEach(r -> values.put(((JsonObject) r).getJsonObject("metric").getString(label),
            Double.parseDouble(((JsonObject) r).getJsonArray("value").getString(1))));
        found.put(legend, values);
      }
      System.out.println("ingress row on " + (otherPrefix.startsWith("envoy") ? "ingress-nginx's" : "Envoy's")
          + " series: " + found + "; the other entry's " + empty + " queries empty");
      assertThat(found.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
      assertThat(empty).as("the other entry's queries").isEqualTo(expected.size());
      for (var entry : expected.entrySet()) {
        Map<String, Double> values = found.get(entry.getKey());
        assertThat(values.keySet()).as(entry.getKey()).containsExactlyInAnyOrderElementsOf(entry.getValue().keySet());
        entry.getValue().forEach((route, value) ->
            assertThat(values.get(route)).as(entry.getKey() + " " + route).isCloseTo(value, within(1e-9)));
      }
    } finally {
      prometheus.destroy();
      prometheus.waitFor();
    }
  }

  private static boolean answers(Prometheus api) {
    try {
      return !api.query("count({__name__=~\".+\"})", END).isEmpty();
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** The targets of the panels between the ingress row and the next row. */
  private static List<JsonNode> rowTargets() throws IOException {
    List<JsonNode> targets = new ArrayList<>();
    boolean inRow = false;
    for (JsonNode panel : ObservabilityIT.dashboard().path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        inRow = panel.path("title").asText().startsWith("Ingress");
        continue;
      }
      if (inRow) {
        panel.path("targets").forEach(targets::add);
      }
    }
    assertThat(targets).as("the ingress row's queries").hasSize(12);
    return targets;
  }

  /** The label a legend such as "p95 {{path}}" shows. */
  private static String legendLabel(String legend) {
    Matcher m = Pattern.compile("\\{\\{(\\w+)}}").matcher(legend);
    assertThat(m.find()).as("a per-route legend: " + legend).isTrue();
    return m.group(1);
  }

  /** ingress-nginx's request labels, as its ServiceMonitor scrapes them (its namespace and service become exported_*). */
  private static Map<String, String> nginx(String path, String backend) {
    return Map.of("host", "arch.homework", "path", path, "ingress", "user-service", "exported_namespace", "hw3",
        "exported_service", backend, "controller_class", "k8s.io/ingress-nginx", "controller_namespace", "ingress-nginx",
        "namespace", "ingress-nginx", "service", "ingress-nginx-controller-metrics", "canary", "");
  }

  /** A cluster's labels in Envoy's /stats/prometheus, as the chart's PodMonitor scrapes it. */
  private static Map<String, String> envoy(String cluster) {
    return Map.of("envoy_cluster_name", cluster, "namespace", "envoy-gateway-system", "container", "envoy",
        "pod", "envoy-hw3-user-service-5d8f7c9b4-x2k8q", "job", "hw3/user-service-gateway-proxy");
  }

  private static Map<String, String> with(Map<String, String> labels, String... more) {
    Map<String, String> all = new TreeMap<>(labels);
    for (int i = 0; i < more.length; i += 2) {
      all.put(more[i], more[i + 1]);
    }
    return all;
  }

  /** A histogram's cumulative buckets, each growing at its rate per second. */
  private static void buckets(List<Series> series, String name, Map<String, String> labels, String[] le, double[] perSecond) {
    for (int i = 0; i < le.length; i++) {
      series.add(new Series(name, with(labels, "le", le[i]), perSecond[i]));
    }
  }

  /** The series as OpenMetrics text, a family at a time, a sample every 15 s up to END. */
  private static String openMetrics(List<Series> series) {
    StringBuilder text = new StringBuilder();
    Map<String, List<Series>> families = series.stream()
        .collect(Collectors.groupingBy(Series::name, LinkedHashMap::new, Collectors.toList()));
    families.forEach((name, members) -> {
      text.append("# TYPE ").append(name).append(" gauge\n"); // gauge: OpenMetrics keeps the name as it is
      for (Series s : members) {
        String labels = new TreeMap<>(s.labels()).entrySet().stream()
            .map(e -> e.getKey() + "=\"" + e.getValue() + "\"").collect(Collectors.joining(","));
        for (int i = 0; i < SAMPLES; i++) {
          long time = END - (long) (SAMPLES - 1 - i) * STEP_SECONDS;
          text.append(name).append('{').append(labels).append("} ")
              .append(s.perSecond() * STEP_SECONDS * i).append(' ').append(time).append('\n');
        }
      }
    });
    return text.append("# EOF\n").toString();
  }
}
