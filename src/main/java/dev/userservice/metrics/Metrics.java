package dev.userservice.metrics;

import dev.userservice.tracing.TraceExemplars;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * The one Prometheus registry of the process, with the names the community JVM and HTTP
 * dashboards expect: http_server_requests_seconds, jvm_*, process_*, and vertx_pool_* for the
 * database pool.
 */
public final class Metrics implements AutoCloseable {
  public static final String APPLICATION = "user-service";

  // Exemplars: each histogram bucket keeps the trace id of a request it counted (OpenMetrics only).
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT,
      new PrometheusRegistry(), Clock.SYSTEM, new TraceExemplars());
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Timer.MeterProvider<Timer> requestTimer;
  private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

  public Metrics() {
    registry.config().commonTags("application", APPLICATION);
    registry.gauge("http.server.requests.in.flight", inFlight);
    requestTimer = Timer.builder("http.server.requests")
        .description("HTTP requests by route template, method and status")
        // Buckets, not client-side percentiles: Prometheus can then aggregate over pods.
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(250_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .withRegistry(registry);
  }

  /**
   * JVM and process meters. Called once the service listens: binding them loads a few hundred
   * classes (management beans, GC notifications), about a tenth of a second better spent after
   * the first request can be answered.
   */
  public void bindJvmMetrics() {
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /**
   * Vert.x reports its pools (the PostgreSQL pool among them: in use, waiting, usage time)
   * into our registry. Its HTTP server metrics stay off: ours carry the route template.
   */
  public MicrometerMetricsFactory vertxMetricsFactory() {
    return new MicrometerMetricsFactory(registry);
  }

  public MicrometerMetricsOptions vertxMetricsOptions() {
    var options = new MicrometerMetricsOptions().setEnabled(true);
    for (MetricsDomain domain : MetricsDomain.values()) {
      if (domain != MetricsDomain.NAMED_POOLS) {
        options.addDisabledMetricsCategory(domain);
      }
    }
    // Per-query SQL client timers: a cost on every query, and the HTTP histogram already
    // shows what the database adds.
    return options.addDisabledMetricsCategory("sql");
  }

  /** Client connections open now, over all event loops. */
  public void openConnections(AtomicInteger open) {
    Gauge.builder("http.server.connections.open", open, AtomicInteger::get)
        .description("Client connections open now").register(registry);
  }

  /** Connections the server closed because of a limit: {@code limit} or {@code header_timeout}. */
  public Counter closedConnections(String reason) {
    return Counter.builder("http.server.connections.closed").tag("reason", reason)
        .description("Client connections closed by the connection limit or the request-head timeout")
        .register(registry);
  }

  /** Bearer tokens refused (AUTH_MODE=oidc), by reason: missing, malformed, signature, expired, ... */
  public Counter refusedTokens(String reason) {
    return Counter.builder("auth.tokens.refused").tag("reason", reason)
        .description("Requests to /user refused for their bearer token, by reason").register(registry);
  }

  /** Fetches of the issuer's key set by result (ok, failed), and when the last one succeeded. */
  public Counter keySetFetches(String result) {
    return Counter.builder("auth.keyset.fetches").tag("result", result)
        .description("Fetches of the OpenID Connect issuer's key set, by result").register(registry);
  }

  public void keySetLastSuccess(DoubleSupplier epochSeconds) {
    Gauge.builder("auth.keyset.last.success", epochSeconds::getAsDouble).baseUnit("seconds")
        .description("Unix time of the last successful fetch of the issuer's key set (0: none yet)").register(registry);
  }

  public void poolSize(String poolName, int maxSize) {
    Gauge.builder("db.pool.max.size", () -> maxSize).tag("pool", poolName)
        .description("Connections the pool may open").register(registry);
  }

  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** Looked up once per (method, route, status): Micrometer's own lookup builds and sorts tags. */
  public Timer requestTimer(String method, String route, int status) {
    return timers.computeIfAbsent(new TimerKey(method, route, status), key -> requestTimer.withTags(
        "method", method, "uri", route, "status", Integer.toString(status), "outcome", outcome(status)));
  }

  private record TimerKey(String method, String route, int status) {
  }

  /** The text exposition: Prometheus 0.0.4, or OpenMetrics when the scraper asks for it. */
  public String scrape(String contentType) {
    return registry.scrape(contentType);
  }

  private static String outcome(int status) {
    if (status < 200) {
      return "INFORMATIONAL";
    } else if (status < 300) {
      return "SUCCESS";
    } else if (status < 400) {
      return "REDIRECTION";
    } else if (status < 500) {
      return "CLIENT_ERROR";
    }
    return "SERVER_ERROR";
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
