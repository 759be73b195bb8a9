package dev.userservice.http;

import java.nio.charset.StandardCharsets;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** /health says the process serves; /ready says it can do its work, so it asks the database. */
final class HealthHandlers {
  private static final byte[] OK = "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] UNAVAILABLE = "{\"status\":\"UNAVAILABLE\"}".getBytes(StandardCharsets.UTF_8);

  private final Pool pool;
  private final Readiness readiness;
  private final Duration timeout;

  HealthHandlers(Pool pool, Readiness readiness, Duration timeout) {
    this.pool = pool;
    this.readiness = readiness;
    this.timeout = timeout;
  }

  void health(RoutingContext ctx) {
    Responses.send(ctx, 200, OK);
  }

  void ready(RoutingContext ctx) {
    if (!readiness.acceptsTraffic()) {
      Responses.send(ctx, 503, UNAVAILABLE); // shutting down, or the schema is not migrated yet
      return;
    }
    pool.query("SELECT 1").execute()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(result -> Responses.send(ctx, result.succeeded() ? 200 : 503,
            result.succeeded() ? OK : UNAVAILABLE));
  }
}
