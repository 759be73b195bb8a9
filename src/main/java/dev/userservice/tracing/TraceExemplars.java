package dev.userservice.tracing;

import io.opentelemetry.api.trace.Span;
import io.prometheus.metrics.tracer.common.SpanContext;

/**
 * Hands the current span to the Prometheus registry, which keeps its trace id as an exemplar on
 * the histogram bucket a request falls in: in the OpenMetrics exposition, a latency spike on the
 * dashboard then links to a trace of it.
 */
public final class TraceExemplars implements SpanContext {
  @Override
  public String getCurrentTraceId() {
    var span = Span.current().getSpanContext();
    return span.isValid() ? span.getTraceId() : null;
  }

  @Override
  public String getCurrentSpanId() {
    var span = Span.current().getSpanContext();
    return span.isValid() ? span.getSpanId() : null;
  }

  @Override
  public boolean isCurrentSpanSampled() {
    return Span.current().getSpanContext().isSampled();
  }

  @Override
  public void markCurrentSpanAsExemplar() {
    // nothing to mark: a sampled span is exported whole anyway
  }
}
