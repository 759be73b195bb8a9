package dev.userservice.http;

import dev.userservice.auth.BearerAuthHandler;
import dev.userservice.auth.Principal;
import dev.userservice.config.RequestLog;
import dev.userservice.logging.JsonLogging;
import dev.userservice.metrics.Metrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First on every request: counts it in flight, and when the response ends records its
 * duration under the route template and writes one access-log line.
 */
final class ObservabilityHandler {
  /** Context key under which each route leaves its template, such as /user/{id}. */
  static final String ROUTE = "route";
  /** What a request that matched no route is recorded as, so raw paths never become labels. */
  static final String UNMATCHED = "NOT_FOUND";

  private static final Logger accessLog = LoggerFactory.getLogger(JsonLogging.ACCESS_LOGGER);

  private final Metrics metrics;
  private final RequestLog requestLog;

  ObservabilityHandler(Metrics metrics, RequestLog requestLog) {
    this.metrics = metrics;
    this.requestLog = requestLog;
  }

  void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    metrics.inFlight().incrementAndGet();
    // The request's server span, made current again at the end: its trace id goes into the
    // histogram's exemplar and the access-log line, whatever Vert.x has closed by then.
    Span span = Span.current();
    ctx.addEndHandler(ended -> {
      long nanos = System.nanoTime() - start;
      metrics.inFlight().decrementAndGet();
      String method = ctx.request().method().name();
      String route = ctx.get(ROUTE, UNMATCHED);
      int status = ctx.response().getStatusCode();
      try (Scope current = span.makeCurrent()) {
        metrics.requestTimer(method, route, status).record(nanos, TimeUnit.NANOSECONDS);
        if (requestLog.logs(status, nanos)) {
          var line = accessLog.atInfo();
          Principal caller = BearerAuthHandler.principal(ctx);
          if (caller != null) {
            line = line.addKeyValue("subject", caller.subject()); // the subject, never the token
          }
          line
              .addKeyValue("method", method)
              .addKeyValue("route", route)
              .addKeyValue("path", ctx.request().path())
              .addKeyValue("status", status)
              .addKeyValue("durationMs", nanos / 1_000_000.0)
              .log("request");
        }
      }
    });
    ctx.next();
  }
}
