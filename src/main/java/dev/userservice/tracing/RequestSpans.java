package dev.userservice.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * What the service adds to the server span Vert.x opens for each request (named by its method
 * alone): the route template, so the span is "GET /user/{id}" and never carries a raw id, and
 * the error status of a 5xx. Called on the request's own context, where the span is current.
 */
public final class RequestSpans {
  private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");

  private RequestSpans() {
  }

  public static void nameByRoute(String method, String template) {
    Span span = Span.current();
    if (span.isRecording()) {
      span.updateName(method + " " + template);
      span.setAttribute(HTTP_ROUTE, template);
    }
  }

  /** A 5xx is the server's failure (a 4xx is the client's, and leaves the span unset). */
  public static void answered(int status) {
    if (status >= 500) {
      Span.current().setStatus(StatusCode.ERROR, "HTTP " + status);
    }
  }

  public static void failed(Throwable failure) {
    Span.current().recordException(failure);
  }
}
