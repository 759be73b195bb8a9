package dev.userservice.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.db.Migrations;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.Sql;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The spans of real requests, kept in memory: one server span per request, a child per statement. */
class TracingTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static DbSettings db;
  private static TestService service;
  private static ApiClient api;

  @BeforeAll
  static void start() {
    // A database of its own: one test breaks its schema to get a real 500.
    db = TestDatabase.createEmpty("tracing");
    Migrations.migrate(db, 0);
    var openTelemetry = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    service = TestService.start(db, Map.of(), openTelemetry);
    api = service.api;
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @BeforeEach
  void forgetEarlierSpans() {
    spans.reset();
  }

  @Test
  void aRequestIsOneServerSpanNamedByItsRouteWithAChildPerStatement() throws Exception {
    long id = api.createUser("traced");
    // The create's own span may end after its answer arrives: pick this request's by its trace.
    String traceId = newTraceId();
    assertThat(api.request("GET", "/user/" + id, null, "traceparent", traceparent(traceId)).status()).isEqualTo(200);

    SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId));
    assertThat(server.getName()).isEqualTo("GET /user/{id}").doesNotContain(Long.toString(id));
    assertThat(server.getAttributes().get(AttributeKey.stringKey("http.route"))).isEqualTo("/user/{id}");
    assertThat(server.getAttributes().asMap().toString()).contains("GET", "200");
    assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    SpanData statement = awaitSpan(s -> s.getKind() == SpanKind.CLIENT && s.getTraceId().equals(traceId));
    assertThat(statement.getTraceId()).isEqualTo(server.getTraceId());
    assertThat(statement.getParentSpanId()).as("the statement's span is the request's child")
        .isEqualTo(server.getSpanId());
    String attributes = statement.getAttributes().asMap().toString();
    assertThat(attributes).as("the statement text is recorded").contains("SELECT id, version, username");
    assertThat(attributes).as("its parameters are not").doesNotContain("=" + id + ",", "=" + id + "}");
    System.out.println("server span: " + server.getName() + " " + server.getAttributes().asMap());
    System.out.println("client span: " + statement.getName() + " " + statement.getAttributes().asMap());
  }

  @Test
  void anIncomingTraceparentIsContinued() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String parent = "00f067aa0ba902b7";
    Response answer = api.request("GET", "/user/1", null, "traceparent", "00-" + traceId + "-" + parent + "-01");
    assertThat(answer.status()).isEqualTo(200);

    SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId));
    assertThat(server.getParentSpanId()).isEqualTo(parent);
    assertThat(server.getParentSpanContext().isRemote()).isTrue();
  }

  @Test
  void withoutATraceparentTheServiceStartsATrace() throws Exception {
    api.get("/health");
    // Another test's request may still end its span now: this one is the only GET /health.
    SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("GET /health"));
    assertThat(server.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void anUnknownPathIsNamedByItsMethodAlone() throws Exception {
    String traceId = newTraceId();
    api.request("GET", "/no/such/path/42", null, "traceparent", traceparent(traceId));
    SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId));
    assertThat(server.getName()).isEqualTo("GET");
  }

  @Test
  void aServerErrorMarksTheSpanAsAnError() throws Exception {
    long id = api.createUser("broken-schema");
    Sql.execute(db, "ALTER TABLE \"user\" RENAME COLUMN email TO e_mail");
    try {
      String traceId = newTraceId();
      assertThat(api.request("GET", "/user/" + id, null, "traceparent", traceparent(traceId)).status()).isEqualTo(500);
      SpanData server = awaitSpan(s -> s.getKind() == SpanKind.SERVER && s.getTraceId().equals(traceId));
      assertThat(server.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(server.getEvents()).as("the exception is recorded on the span")
          .anyMatch(event -> event.getName().equals("exception"));
    } finally {
      Sql.execute(db, "ALTER TABLE \"user\" RENAME COLUMN e_mail TO email");
    }
  }

  private static String newTraceId() {
    return String.format("%016x%016x", RANDOM.nextLong(), RANDOM.nextLong() | 1);
  }

  private static String traceparent(String traceId) {
    return "00-" + traceId + "-00f067aa0ba902b7-01";
  }

  /**
   * Spans end just after the answer is sent: wait, up to a deadline, for the one wanted. The
   * predicate names the request (its trace id or its route), since spans of a request made just
   * before may still arrive.
   */
  private static SpanData awaitSpan(Predicate<SpanData> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      List<SpanData> found = spans.getFinishedSpanItems().stream().filter(wanted).toList();
      if (!found.isEmpty()) {
        assertThat(found).as("exactly one such span: " + found).hasSize(1);
        return found.getFirst();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such span among " + spans.getFinishedSpanItems());
  }
}
