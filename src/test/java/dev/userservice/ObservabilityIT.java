package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.Prometheus;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.ServiceProcess;
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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard, the alerts and the load test proven on live parts, all on 127.0.0.1: the
 * service (embedded PostgreSQL), Debian's postgres exporter on that database, and Prometheus
 * scraping both with the labels the ServiceMonitors would give. test.sh drives Locust against
 * the service for a bounded time; then every dashboard query runs against that Prometheus.
 */
public class ObservabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LOAD_SECONDS = Integer.getInteger("observability.loadSeconds", 60);
  private static final int MIN_REQUESTS = Integer.getInteger("observability.minRequests", 20 * LOAD_SECONDS);
  private static final String NAMESPACE = "hw3";
  private static final String APP_JOB = "user-service";
  private static final String EXPORTER_JOB = "postgres-exporter-prometheus-postgres-exporter";

  /**
   * Metrics that only a cluster has, by the exporter that publishes them (names as those exporters
   * use; IngressMetricNamesTest checks the ingress ones against their projects' documentation).
   */
  private static final Map<String, Set<String>> CLUSTER_ONLY = Map.of(
      "ingress-nginx controller", Set.of("nginx_ingress_controller_requests",
          "nginx_ingress_controller_request_duration_seconds_bucket"),
      "Envoy Gateway's proxies (Envoy)", Set.of("envoy_cluster_upstream_rq_total", "envoy_cluster_upstream_rq_xx",
          "envoy_cluster_upstream_rq_time_bucket"),
      "kube-state-metrics", Set.of("kube_pod_container_status_restarts_total", "kube_pod_container_resource_limits",
          "kube_cronjob_status_last_successful_time"),
      "the Barman Cloud Plugin (CloudNativePG)", Set.of("barman_cloud_cloudnative_pg_io_last_available_backup_timestamp"),
      "cAdvisor (kubelet)", Set.of("container_memory_working_set_bytes", "container_cpu_usage_seconds_total"),
      "CloudNativePG operator", Set.of("cnpg_collector_up", "cnpg_pg_database_size_bytes", "cnpg_backends_total",
          "cnpg_pg_stat_database_blks_hit", "cnpg_pg_stat_database_blks_read", "cnpg_pg_stat_database_xact_commit",
          "cnpg_pg_stat_database_xact_rollback", "cnpg_pg_stat_database_tup_fetched",
          "cnpg_pg_stat_database_tup_inserted", "cnpg_pg_stat_database_tup_updated",
          "cnpg_pg_stat_database_tup_deleted", "cnpg_pg_replication_lag", "cnpg_pg_replication_in_recovery",
          "cnpg_collector_sync_replicas", "cnpg_pg_replication_streaming_replicas", "cnpg_pg_stat_archiver_archived_count",
          "cnpg_pg_stat_archiver_failed_count", "cnpg_pg_stat_archiver_seconds_since_last_archival"));

  @Test
  void dashboardAlertsAndLoadTestWorkOnLiveComponents() throws Exception {
    Tools.require("prometheus", "prometheus-postgres-exporter", "locust");
    Path work = ServiceProcess.workDir("observability");
    List<Process> helpers = new ArrayList<>();
    try (ServiceProcess service = ServiceProcess.start(work, Map.of("REQUEST_LOG", "off", "SHUTDOWN_DRAIN_MS", "0"))) {
      int appPort = service.awaitListening(Duration.ofSeconds(90));
      int pgPort = service.output().stream().filter(l -> l.contains("embedded PostgreSQL started"))
          .map(l -> new JsonObject(l).getInteger("port")).findFirst().orElseThrow();

      int exporterPort = Tools.freePort();
      var exporter = new ProcessBuilder("prometheus-postgres-exporter",
          "--web.listen-address=127.0.0.1:" + exporterPort, "--no-collector.bgwriter")
          .redirectErrorStream(true).redirectOutput(work.resolve("exporter.log").toFile());
      exporter.environment().put("DATA_SOURCE_NAME",
          "postgresql://postgres@127.0.0.1:" + pgPort + "/postgres?sslmode=disable");
      helpers.add(exporter.start());

      int prometheusPort = Tools.freePort();
      Path rules = work.resolve("rules.yml");
      RenderedChart.writePrometheusRules(rules);
      Files.writeString(work.resolve("prometheus.yml"), scrapeConfig(appPort, exporterPort));
      helpers.add(new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
          .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start());
      Prometheus prometheus = new Prometheus("http://127.0.0.1:" + prometheusPort);
      awaitTargetsUp(prometheus);

      // The load: test.sh, as a user runs it, against the service, bounded in time.
      var locust = Tools.run(Path.of("."), LOAD_SECONDS + 120, "bash", "-c",
          "HOST=http://127.0.0.1:" + appPort + " MAX_FAILURE_RATIO=0 MIN_REQUESTS=" + MIN_REQUESTS
              + " ./test.sh -u 10 -r 5 -t " + LOAD_SECONDS + "s");
      String summary = locustSummary();
      System.out.println("Locust: " + summary);
      assertThat(locust.exitCode()).as(locust.output()).isZero();
      // One more scrape of both targets after the last request, so the panels see all of it.
      long loadDone = System.currentTimeMillis() / 1000;
      Await.until("a scrape of the service and the exporter after the load", () -> prometheus
          .query("min(timestamp(up{namespace=\"" + NAMESPACE + "\"}))").stream()
          .anyMatch(r -> Double.parseDouble(((JsonObject) r).getJsonArray("value").getString(1)) > loadDone + 1),
          Duration.ofSeconds(60));

      checkVariables(prometheus);
      checkPanels(prometheus);
      checkAlerts(prometheus, rules);
      renderDashboard(prometheusPort, work);
    } finally {
      for (Process helper : helpers) {
        helper.destroy();
        helper.waitFor();
      }
    }
  }

  private static void checkVariables(Prometheus prometheus) throws IOException {
    JsonNode dashboard = dashboard();
    Pattern labelValues = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)");
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (!variable.path("type").asText().equals("query")) {
        continue;
      }
      Matcher m = labelValues.matcher(variable.at("/query/query").asText());
      assertThat(m.matches()).isTrue();
      var values = prometheus.labelValues(m.group(2), substitute(m.group(1)));
      System.out.printf("variable %-10s -> %s%n", variable.path("name").asText(), values);
      assertThat(values).as("values of the $" + variable.path("name").asText() + " variable").isNotEmpty();
    }
  }

  private static void checkPanels(Prometheus prometheus) throws IOException {
    int withData = 0;
    List<String> clusterOnly = new ArrayList<>();
    List<String> accountsOnly = new ArrayList<>();
    List<String> empty = new ArrayList<>();
    for (JsonNode panel : dashboard().path("panels")) {
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      String title = panel.path("title").asText();
      assertThat(panel.at("/datasource/uid").asText()).as(title).isEqualTo("${datasource}");
      List<String> exprs = new ArrayList<>();
      panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
      Map<String, String> clusterSources = clusterSources(exprs);
      if (!clusterSources.isEmpty()) {
        clusterOnly.add(title + " <- " + String.join(", ", new LinkedHashMap<>(clusterSources).values().stream().distinct().toList()));
        for (String expr : exprs) {
          prometheus.query(substitute(expr)); // still has to parse and run
        }
        continue;
      }
      if (accountsOnly(exprs)) {
        // Their series exist only with AUTH_MODE=oidc, off in this run: KeycloakIT checks them live.
        for (String expr : exprs) {
          assertThat(prometheus.query(substitute(expr))).as(title + " with accounts off").isEmpty();
        }
        accountsOnly.add(title);
        continue;
      }
      for (String expr : exprs) {
        int series = prometheus.query(substitute(expr)).size();
        if (series == 0) {
          empty.add(title + ": " + expr);
        }
      }
      withData++;
    }
    assertThat(accountsOnly).as("the accounts row's panels").hasSize(3);
    System.out.println("panels with data: " + (withData - empty.size()));
    System.out.println("panels cluster-only (" + clusterOnly.size() + "):");
    clusterOnly.forEach(p -> System.out.println("  " + p));
    assertThat(empty).as("local panels whose queries returned nothing").isEmpty();
    assertThat(withData).isGreaterThan(20);
  }

  /** A panel of the accounts row: auth_* series, or only 401 and 403 answers (render-dashboard.py says the same). */
  public static boolean accountsOnly(List<String> exprs) {
    String text = String.join(" ", exprs);
    return Pattern.compile("\\bauth_[a-z_]+\\{").matcher(text).find() || text.contains("status=~\"401|403\"");
  }

  /**
   * For a panel whose every metric is cluster-only, each metric and the exporter it comes from;
   * empty when a metric of the panel exists here (a panel may read pg_* or cnpg_*, whichever is
   * there). Fails on a cluster-looking name that those exporters do not publish.
   */
  private static Map<String, String> clusterSources(List<String> exprs) {
    Map<String, String> sources = new LinkedHashMap<>();
    boolean local = false;
    Matcher names = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\{").matcher(String.join(" ", exprs));
    while (names.find()) {
      String metric = names.group(1);
      if (!metric.matches("(nginx_ingress_controller|envoy|kube|container|cnpg|barman_cloud)_[a-z_]+")) {
        local = true;
        continue;
      }
      String source = CLUSTER_ONLY.entrySet().stream().filter(e -> e.getValue().contains(metric))
          .map(Map.Entry::getKey).findFirst()
          .orElseThrow(() -> new AssertionError(metric + " is not a metric name the cluster's exporters publish"));
      sources.put(metric, source);
    }
    return local ? Map.of() : sources;
  }

  private static void checkAlerts(Prometheus prometheus, Path rules) throws IOException {
    JsonNode file = new YAMLMapper().readTree(rules.toFile());
    int evaluated = 0;
    for (JsonNode rule : file.at("/groups/0/rules")) {
      var firing = prometheus.query(rule.path("expr").asText());
      assertThat(firing).as(rule.path("alert").asText() + " on a healthy run").isEmpty();
      evaluated++;
    }
    JsonObject loaded = prometheus.get("/api/v1/rules");
    var groups = loaded.getJsonObject("data").getJsonArray("groups");
    assertThat(groups).isNotEmpty();
    groups.getJsonObject(0).getJsonArray("rules").forEach(r ->
        assertThat(((JsonObject) r).getString("health")).as(((JsonObject) r).getString("name")).isEqualTo("ok"));
    assertThat(prometheus.query("ALERTS{alertstate=\"firing\"}")).isEmpty();
    System.out.println("alerts evaluated: " + evaluated + ", firing: 0");
  }

  /** What Grafana would substitute, for the labels the scrape config sets. */
  public static String substitute(String expr) {
    return expr.replace("$__rate_interval", "1m").replace("$namespace", NAMESPACE).replace("$instance", ".*")
        .replace("$database", ".*").replace("$host", "arch.homework");
  }

  public static JsonNode dashboard() throws IOException {
    return JSON.readTree(Path.of("resources", "dashboard.json").toFile());
  }

  /** The same jobs and labels a ServiceMonitor gives: job = Service name, namespace, service, pod, endpoint. */
  private static String scrapeConfig(int appPort, int exporterPort) {
    return """
        global:
          scrape_interval: 5s
          evaluation_interval: 5s
        rule_files: [rules.yml]
        scrape_configs:
          - job_name: %s
            metrics_path: /metrics
            static_configs:
              - targets: ["127.0.0.1:%d"]
                labels: {namespace: %s, service: %s, pod: user-service-0, container: user-service, endpoint: http}
          - job_name: %s
            metrics_path: /metrics
            static_configs:
              - targets: ["127.0.0.1:%d"]
                labels: {namespace: %s, service: %s, pod: postgres-exporter-0, endpoint: http}
        """.formatted(APP_JOB, appPort, NAMESPACE, APP_JOB, EXPORTER_JOB, exporterPort, NAMESPACE, EXPORTER_JOB);
  }

  private static void awaitTargetsUp(Prometheus prometheus) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (prometheus.query("sum(up{namespace=\"" + NAMESPACE + "\"})").stream()
            .anyMatch(r -> ((JsonObject) r).getJsonArray("value").getString(1).equals("2"))) {
          return;
        }
      } catch (RuntimeException notYet) {
        // Prometheus is still starting
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the service and the exporter were not both up in Prometheus");
  }

  private static String locustSummary() throws IOException {
    Path stats = Path.of("reports", "locust_stats.csv");
    return Files.readAllLines(stats).stream().filter(l -> l.contains("Aggregated")).findFirst().orElse("(no summary)");
  }

  /**
   * The picture of the run: the dashboard itself, drawn by scripts/render-dashboard.py from this
   * Prometheus. Every panel whose source runs here must have drawn data; the cluster-only ones
   * must say so. The PNG is target/load_testing.png (assets/load_testing.png is one of these,
   * from a 5-minute run: see docs/observability.md).
   */
  private static void renderDashboard(int prometheusPort, Path work) throws IOException {
    String python = Tools.run(Path.of("."), 20, "sh", "-c",
        "for p in /usr/bin/python3 python3; do $p -c 'import matplotlib' 2>/dev/null && echo $p && break; done")
        .output().trim();
    if (python.isEmpty()) {
      Tools.require("python3-with-matplotlib"); // skips here, fails in CI
    }
    Path png = Path.of("target", "load_testing.png").toAbsolutePath();
    Path report = work.resolve("dashboard-report.json").toAbsolutePath();
    var render = Tools.run(Path.of("."), 300, python, "scripts/render-dashboard.py",
        "--prometheus", "http://127.0.0.1:" + prometheusPort, "--minutes", Double.toString((LOAD_SECONDS + 30) / 60.0),
        "--var", "namespace=" + NAMESPACE, "--scrape-interval", "5", "--out", png.toString(), "--report", report.toString());
    System.out.println(render.output().strip());
    assertThat(render.exitCode()).as(render.output()).isZero();
    JsonNode panels = JSON.readTree(report.toFile()).path("panels");
    List<String> notDrawn = new ArrayList<>();
    int drawn = 0;
    int clusterOnly = 0;
    int accountsOnly = 0;
    for (JsonNode panel : panels) {
      switch (panel.path("status").asText()) {
        case "data" -> drawn++;
        case "cluster-only" -> clusterOnly++;
        case "accounts-only" -> accountsOnly++;
        default -> notDrawn.add(panel.path("title").asText() + ": " + panel.path("status").asText());
      }
    }
    assertThat(notDrawn).as("local panels the picture drew without data").isEmpty();
    assertThat(drawn).isGreaterThan(20);
    assertThat(clusterOnly).as("ingress, kube-state-metrics, cAdvisor, CloudNativePG and base-backup panels").isEqualTo(11);
    assertThat(accountsOnly).as("the accounts row, with accounts off").isEqualTo(3);
    assertThat(Files.size(png)).isGreaterThan(100_000);
  }
}
