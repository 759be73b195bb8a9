package dev.userservice.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** /health says the process serves; /ready says it can do its work, so it asks the database. */
final class HealthHandlers {
  private static final JsonObject OK = new JsonObject().put("status", "OK");
  private static final JsonObject UNAVAILABLE = new JsonObject().put("status", "UNAVAILABLE");

  private final Pool pool;
  private final BooleanSupplier draining;
  private final Duration timeout;

  HealthHandlers(Pool pool, BooleanSupplier draining, Duration timeout) {
    this.pool = pool;
    this.draining = draining;
    this.timeout = timeout;
  }

  void health(RoutingContext ctx) {
    Responses.json(ctx, 200, OK);
  }

  void ready(RoutingContext ctx) {
    if (draining.getAsBoolean()) {
      Responses.json(ctx, 503, UNAVAILABLE); // shutting down: take this pod out of the Service first
      return;
    }
    pool.query("SELECT 1").execute()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(result -> Responses.json(ctx, result.succeeded() ? 200 : 503,
            result.succeeded() ? OK : UNAVAILABLE));
  }
}
