package dev.userservice.http;

import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.user.InvalidUserException;
import dev.userservice.user.UsernameTakenException;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever stopped a request into the contract's answer. Only the last branch is a bug;
 * it is logged with its stack trace, and the client sees no more than "internal server error".
 */
final class FailureHandler {
  private static final Logger log = LoggerFactory.getLogger(FailureHandler.class);

  private static final long UNAVAILABLE_LOG_INTERVAL_NANOS = 1_000_000_000L;

  private final String retryAfterSeconds;
  // One handler per event loop, so these need no locking.
  private long lastUnavailableLogNanos = System.nanoTime() - UNAVAILABLE_LOG_INTERVAL_NANOS;
  private long unavailableSinceLastLog;

  FailureHandler(int retryAfterSeconds) {
    this.retryAfterSeconds = Integer.toString(retryAfterSeconds);
  }

  void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    switch (failure) {
      case ApiException api -> Responses.message(ctx, api.status(), api.getMessage());
      case InvalidUserException invalid -> Responses.message(ctx, 400, invalid.getMessage());
      case UsernameTakenException taken -> Responses.message(ctx, 409, taken.getMessage());
      case DatabaseUnavailableException unavailable -> {
        logUnavailable(unavailable);
        unavailable(ctx);
      }
      case null -> answerStatus(ctx, ctx.statusCode());
      default -> {
        log.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
        Responses.message(ctx, 500, "internal server error");
      }
    }
  }

  /**
   * At most one line a second per event loop: under overload or an outage thousands of requests
   * a second fail alike, and writing each to stdout would slow the very loop that is overloaded.
   */
  private void logUnavailable(DatabaseUnavailableException unavailable) {
    unavailableSinceLastLog++;
    long now = System.nanoTime();
    if (now - lastUnavailableLogNanos >= UNAVAILABLE_LOG_INTERVAL_NANOS) {
      log.atWarn().addKeyValue("cause", String.valueOf(unavailable.getCause()))
          .addKeyValue("requests", unavailableSinceLastLog)
          .log("database unavailable");
      lastUnavailableLogNanos = now;
      unavailableSinceLastLog = 0;
    }
  }

  /** Failures raised by Vert.x itself carry only a status code. */
  private void answerStatus(RoutingContext ctx, int status) {
    switch (status) {
      case 413 -> Responses.message(ctx, 413, "request body is larger than " + ApiRouter.MAX_BODY_BYTES + " bytes");
      case 503 -> unavailable(ctx); // the request timeout fired
      case 400 -> Responses.message(ctx, 400, "bad request");
      case 404 -> Responses.message(ctx, 404, "not found");
      default -> {
        log.error("request failed with status {} on {} {}", status, ctx.request().method(), ctx.normalizedPath());
        Responses.message(ctx, 500, "internal server error");
      }
    }
  }

  private void unavailable(RoutingContext ctx) {
    if (!ctx.response().headWritten()) {
      ctx.response().putHeader("retry-after", retryAfterSeconds);
    }
    Responses.message(ctx, 503, "service unavailable");
  }
}
