package dev.userservice.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Whether the database holds the schema this build was written for. In a cluster the migration
 * Job may still be running when a new pod starts: until the check passes, /ready says 503 and
 * the pod gets no traffic.
 */
public final class SchemaCheck {
  private static final String APPLIED = """
      SELECT 1 FROM flyway_schema_history WHERE version = $1 AND success""";

  private SchemaCheck() {
  }

  /** Succeeds with false while the schema is missing or older; fails only if the database does. */
  public static Future<Boolean> isCurrent(Pool pool) {
    return pool.preparedQuery(APPLIED)
        .execute(Tuple.of(Migrations.LATEST_VERSION))
        .map(rows -> rows.size() > 0)
        .recover(failure -> DbFailures.classify(failure) instanceof DatabaseUnavailableException
            ? Future.failedFuture(failure)
            : Future.succeededFuture(false)); // no history table yet: nothing migrated
  }
}
