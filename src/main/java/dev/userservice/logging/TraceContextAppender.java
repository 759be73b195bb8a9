package dev.userservice.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The asynchronous appender, plus the trace: a line logged while a request is served gets the
 * trace_id and span_id of its span. They are read here, on the thread that logs (where the
 * request's span is current), before the line is handed to the writer thread.
 */
final class TraceContextAppender extends AsyncAppender {
  @Override
  protected void preprocess(ILoggingEvent event) {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid() && event instanceof LoggingEvent loggingEvent) {
      Map<String, String> threadMdc = MDC.getCopyOfContextMap(); // the event has not copied it yet
      Map<String, String> mdc = threadMdc == null ? new HashMap<>() : new HashMap<>(threadMdc);
      mdc.put("trace_id", span.getTraceId());
      mdc.put("span_id", span.getSpanId());
      loggingEvent.setMDCPropertyMap(mdc);
    }
    super.preprocess(event);
  }
}
