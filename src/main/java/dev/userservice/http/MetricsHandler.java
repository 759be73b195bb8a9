package dev.userservice.http;

import dev.userservice.metrics.Metrics;
import io.vertx.ext.web.RoutingContext;

/** GET /metrics: Prometheus text format 0.0.4, or OpenMetrics 1.0 when the Accept header asks. */
final class MetricsHandler {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final Metrics metrics;

  MetricsHandler(Metrics metrics) {
    this.metrics = metrics;
  }

  void handle(RoutingContext ctx) {
    String accept = ctx.request().getHeader("accept");
    String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
    // A scrape walks every meter: keep it off the event loop.
    ctx.vertx().executeBlocking(() -> metrics.scrape(contentType), false)
        .onSuccess(text -> ctx.response().putHeader("content-type", contentType).end(text))
        .onFailure(ctx::fail);
  }
}
