package dev.userservice.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.OtlpReceiver;
import dev.userservice.support.Response;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Tracing from outside: the packaged service, started with OTEL_EXPORTER_OTLP_ENDPOINT, sends
 * the spans of a real request over OTLP/HTTP to a receiver in this test; its log line and its
 * exemplar in /metrics carry the same trace id.
 */
class TracingIT {
  private static final Pattern EXEMPLAR = Pattern.compile(
      "^http_server_requests_seconds_bucket\\{[^}]*uri=\"/user/\\{id}\"[^}]*} \\d+ # \\{([^}]*)}", Pattern.MULTILINE);

  @Test
  void spansGoOverOtlpAndTheTraceIdReachesLogsAndExemplars() throws Exception {
    byte[] random = new byte[16];
    new java.security.SecureRandom().nextBytes(random);
    String traceId = hex(random);
    try (OtlpReceiver receiver = new OtlpReceiver();
         ServiceProcess service = ServiceProcess.start(ServiceProcess.workDir("tracing"),
             ServiceProcess.env(TestDatabase.settings(), "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                 "OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_SERVICE_NAME", "user-service-under-test",
                 "REQUEST_LOG", "all"))) {
      ApiClient api = service.awaitApi();
      long id = api.createUser("traced-over-otlp");
      Response answer = api.request("GET", "/user/" + id, null,
          "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
      assertThat(answer.status()).isEqualTo(200);

      Span server = receiver.await(span -> hex(span.getTraceId().toByteArray()).equals(traceId)
          && span.getKind() == Span.SpanKind.SPAN_KIND_SERVER, Duration.ofSeconds(20));
      assertThat(server.getName()).isEqualTo("GET /user/{id}");
      assertThat(hex(server.getParentSpanId().toByteArray())).isEqualTo("00f067aa0ba902b7");
      Span statement = receiver.await(span -> span.getKind() == Span.SpanKind.SPAN_KIND_CLIENT
          && span.getParentSpanId().equals(server.getSpanId()), Duration.ofSeconds(20));
      assertThat(statement.getAttributesList().toString()).contains("SELECT id, version");
      assertThat(receiver.serviceNames()).contains("user-service-under-test");

      // The access-log line of that request names its trace and span.
      String spanId = hex(server.getSpanId().toByteArray());
      JsonObject line = awaitLogLine(service, "\"path\":\"/user/" + id + "\"", traceId);
      assertThat(line.getString("trace_id")).isEqualTo(traceId);
      assertThat(line.getString("span_id")).isEqualTo(spanId);

      // OpenMetrics carries exemplars; the request just made is one of them.
      String traced = "";
      for (int i = 0; i < 50 && !traced.contains(traceId); i++) {
        api.request("GET", "/user/" + id, null, "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        traced = exemplars(api);
      }
      assertThat(traced).as("an exemplar of /user/{id} with the request's trace id").contains("trace_id=\"" + traceId + "\"");
      assertThat(api.get("/metrics").body()).as("the 0.0.4 text format has no exemplars").doesNotContain("trace_id");
      System.out.printf("OTLP: %d spans received; server span %s, statement span %s; log line and exemplar carry "
          + "trace %s%n", receiver.spans().size(), server.getName(), statement.getName(), traceId);
    }
  }

  private static String exemplars(ApiClient api) {
    Response metrics = api.request("GET", "/metrics", null, "accept", "application/openmetrics-text");
    assertThat(metrics.header("content-type")).startsWith("application/openmetrics-text");
    StringBuilder found = new StringBuilder();
    Matcher m = EXEMPLAR.matcher(metrics.body());
    while (m.find()) {
      found.append(m.group(1)).append('\n');
    }
    return found.toString();
  }

  private static JsonObject awaitLogLine(ServiceProcess service, String marker, String traceId)
      throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (String line : service.output()) {
        if (line.contains(marker) && line.contains(traceId)) {
          return new JsonObject(line);
        }
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no log line of the request:\n" + String.join("\n", service.output()));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
