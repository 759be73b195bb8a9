package dev.userservice.http;

import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.logging.LogThrottle;
import dev.userservice.tracing.RequestSpans;
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

  private final String retryAfterSeconds;
  private final LogThrottle unavailableLog = new LogThrottle(); // one handler per event loop

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
        RequestSpans.failed(failure);
        log.error("unexpected failure on {} {}", ctx.request().method(), ctx.normalizedPath(), failure);
        Responses.message(ctx, 500, "internal server error");
      }
    }
  }

  private void logUnavailable(DatabaseUnavailableException unavailable) {
    long requests = unavailableLog.count();
    if (requests > 0) {
      log.atWarn().addKeyValue("cause", String.valueOf(unavailable.getCause()))
          .addKeyValue("requests", requests)
          .log("database unavailable");
    }
  }

  /** Failures raised by Vert.x itself carry only a status code. */
  private void answerStatus(RoutingContext ctx, int status) {
    switch (status) {
      case 413 -> Responses.message(ctx, 413, "request body is larger than " + ApiRouter.MAX_BODY_BYTES + " bytes");
      case 503 -> unavailable(ctx); // the request timeout fired
      case 408 -> Responses.message(ctx, 408, "request body not received in time");
      case 400 -> Responses.message(ctx, 400, "bad request");
      case 404 -> Responses.message(ctx, 404, "not found");
      default -> {
        log.error("request failed with status {} on {} {}", status, ctx.request().method(), ctx.normalizedPath());
        Responses.message(ctx, 500, "internal server error");
      }
    }
  }

  private void unavailable(RoutingContext ctx) {
    Responses.retryLater(ctx, 503, "service unavailable", retryAfterSeconds);
  }
}
