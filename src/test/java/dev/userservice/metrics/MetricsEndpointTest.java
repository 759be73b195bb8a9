package dev.userservice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** /metrics is valid Prometheus text, and requests move the series of their route template. */
class MetricsEndpointTest {
  // name{labels} value [timestamp], as the text format 0.0.4 defines a sample line
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)})? "
          + "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?[0-9]+)?");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|# (HELP|TYPE) \\S+");

  private static final ApiClient api = SharedService.api();

  @Test
  void exposesValidPrometheusText() {
    Response response = api.get("/metrics");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("content-type")).startsWith("text/plain; version=0.0.4");
    List<String> lines = response.body().lines().filter(l -> !l.isEmpty()).toList();
    assertThat(lines).isNotEmpty().allSatisfy(line ->
        assertThat(SAMPLE.matcher(line).matches() || COMMENT.matcher(line).matches()).as(line).isTrue());
  }

  @Test
  void speaksOpenMetricsWhenAsked() {
    Response response = api.request("GET", "/metrics", null, "accept", "application/openmetrics-text; version=1.0.0");
    assertThat(response.header("content-type")).startsWith("application/openmetrics-text");
    assertThat(response.body()).endsWith("# EOF\n");
  }

  @Test
  void requestsMoveTheirRouteTemplateSeriesAndNeverRawIds() {
    long id = api.createUser("metrics");
    String before = api.get("/metrics").body();
    for (int i = 0; i < 3; i++) {
      assertThat(api.get("/user/" + id).status()).isEqualTo(200);
    }
    assertThat(api.get("/user/999999999").status()).isEqualTo(404);
    assertThat(api.get("/user/not-a-number").status()).isEqualTo(400); // a failure keeps its template
    assertThat(api.get("/no/such/path/" + id).status()).isEqualTo(404);
    String after = api.get("/metrics").body();

    String ok = "http_server_requests_seconds_count{application=\"user-service\",method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/user/{id}\"}";
    assertThat(value(after, ok) - value(before, ok)).isEqualTo(3);
    String missing = "http_server_requests_seconds_count{application=\"user-service\",method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/user/{id}\"}";
    assertThat(value(after, missing) - value(before, missing)).isEqualTo(1);
    assertThat(after).contains("uri=\"NOT_FOUND\"");
    String failed = "http_server_requests_seconds_count{application=\"user-service\",method=\"GET\",outcome=\"CLIENT_ERROR\",status=\"400\",uri=\"/user/{id}\"}";
    assertThat(value(after, failed) - value(before, failed)).isEqualTo(1);

    String bucket = "http_server_requests_seconds_bucket{application=\"user-service\",method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/user/{id}\",le=\"+Inf\"}";
    assertThat(value(after, bucket) - value(before, bucket)).isEqualTo(3);
    assertThat(after).contains("http_server_requests_seconds_sum{", "http_server_requests_seconds_max{");
    assertThat(countSeries(after, "http_server_requests_seconds_bucket", "/user/{id}")).isGreaterThan(10);

    // Labels carry templates only: neither the id nor the unknown path shows up anywhere.
    assertThat(after).doesNotContain("/user/" + id, "/no/such/path");
  }

  @Test
  void exposesJvmProcessPoolAndInFlightSeries() throws InterruptedException {
    api.get("/user/1");
    // JVM meters are bound just after the port opens (see Metrics.bindJvmMetrics): allow that moment.
    String body = api.get("/metrics").body();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!body.contains("jvm_info{") && System.nanoTime() < deadline) {
      Thread.sleep(50);
      body = api.get("/metrics").body();
    }
    assertThat(body).contains(
        "jvm_info{", "jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads{", "process_cpu_usage{",
        "process_uptime_seconds{", "http_server_requests_in_flight{", "db_pool_max_size{",
        "vertx_pool_in_use{", "vertx_pool_queue_pending{");
    assertThat(body.lines().filter(l -> !l.startsWith("#")))
        .allSatisfy(line -> assertThat(line).contains("application=\"user-service\""));
  }

  private static double value(String exposition, String series) {
    Map<String, Double> values = new HashMap<>();
    for (String line : exposition.lines().toList()) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches()) {
        values.put(line.substring(0, line.lastIndexOf(' ')), Double.parseDouble(m.group(4)));
      }
    }
    return values.getOrDefault(series, 0.0);
  }

  private static long countSeries(String exposition, String name, String uri) {
    return exposition.lines().filter(l -> l.startsWith(name + "{") && l.contains("uri=\"" + uri + "\"")).count();
  }
}
