package dev.userservice.idempotency;

import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes expired Idempotency-Keys on a timer, a small batch per statement so that no statement
 * holds many row locks or runs long, until a batch comes back short.
 */
public final class ExpiredKeyCleaner {
  static final int BATCH = 500;
  private static final Logger log = LoggerFactory.getLogger(ExpiredKeyCleaner.class);

  private final IdempotentCreates keys;
  private long removed;

  private ExpiredKeyCleaner(IdempotentCreates keys) {
    this.keys = keys;
  }

  /** Runs every {@code periodMs}, the first time one period after the start. */
  public static long schedule(Vertx vertx, IdempotentCreates keys, long periodMs) {
    var cleaner = new ExpiredKeyCleaner(keys);
    return vertx.setPeriodic(periodMs, timer -> cleaner.removeBatches());
  }

  private void removeBatches() {
    keys.removeExpired(BATCH)
        .onSuccess(count -> {
          removed += count;
          if (count == BATCH) {
            removeBatches();
          } else if (removed > 0) {
            log.atInfo().addKeyValue("removed", removed).log("expired idempotency keys removed");
            removed = 0;
          }
        })
        .onFailure(failure -> log.atWarn().addKeyValue("cause", String.valueOf(failure))
            .log("could not remove expired idempotency keys; trying again at the next period"));
  }
}
