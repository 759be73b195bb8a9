package dev.userservice.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** /health says the process serves; /ready says it can do its work, so it asks the database. */
final class HealthHandlers {
  private static final JsonObject OK = new JsonObject().put("status", "OK");
  private static final JsonObject UNAVAILABLE = new JsonObject().put("status", "UNAVAILABLE");

  private final Pool pool;
  private final Readiness readiness;
  private final Duration timeout;

  HealthHandlers(Pool pool, Readiness readiness, Duration timeout) {
    this.pool = pool;
    this.readiness = readiness;
    this.timeout = timeout;
  }

  void health(RoutingContext ctx) {
    Responses.json(ctx, 200, OK);
  }

  void ready(RoutingContext ctx) {
    if (!readiness.acceptsTraffic()) {
      Responses.json(ctx, 503, UNAVAILABLE); // shutting down, or the schema is not migrated yet
      return;
    }
    pool.query("SELECT 1").execute()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(result -> Responses.json(ctx, result.succeeded() ? 200 : 503,
            result.succeeded() ? OK : UNAVAILABLE));
  }
}
