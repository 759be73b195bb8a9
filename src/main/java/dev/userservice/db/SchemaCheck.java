package dev.userservice.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * Whether the database holds the schema this build was written for, and whether this release may
 * run on it. In a cluster the migration Job may still be running when a new pod starts: until the
 * check passes, /ready says 503 and the pod gets no traffic. And after a newer release's
 * migrations, a release older than the oldest one they allow (schema_release_floor, V4) refuses
 * rather than corrupt or expose data: the Keycloak habit.
 */
public final class SchemaCheck {
  private static final String APPLIED = """
      SELECT 1 FROM flyway_schema_history WHERE version = $1 AND success""";
  private static final String FLOORS = """
      SELECT version, oldest_release, reason FROM schema_release_floor""";

  /** Where the schema stands for this release: current or not, and why this release may not run on it. */
  public record State(boolean current, Optional<String> refusal) {
    public boolean ready() {
      return current && refusal.isEmpty();
    }
  }

  private SchemaCheck() {
  }

  /** Succeeds with "not current" while the schema is missing or older; fails only if the database does. */
  public static Future<State> check(Pool pool, String release) {
    return pool.preparedQuery(APPLIED).execute(Tuple.of(Migrations.LATEST_VERSION))
        .compose(applied -> applied.size() == 0
            ? Future.succeededFuture(new State(false, Optional.empty()))
            : pool.query(FLOORS).execute().map(floors -> new State(true, refusal(release,
                StreamSupport.stream(floors.spliterator(), false).map(Floor::of)
                    .max(Comparator.comparing(Floor::release, ReleaseVersion::compare))))))
        .recover(failure -> DbFailures.classify(failure) instanceof DatabaseUnavailableException
            ? Future.failedFuture(failure)
            : Future.succeededFuture(new State(false, Optional.empty()))); // no history table yet: nothing migrated
  }

  /** The highest floor of the migrations applied, and the one line said when this release is below it. */
  private record Floor(long version, String release, String reason) {
    static Floor of(Row row) {
      return new Floor(row.getLong("version"), row.getString("oldest_release"), row.getString("reason"));
    }
  }

  private static Optional<String> refusal(String release, Optional<Floor> highest) {
    return highest.filter(floor -> ReleaseVersion.compare(release, floor.release()) < 0)
        .map(floor -> "this release %s is older than %s, the oldest release the database's schema allows (migration %d: %s); run %s or newer, or restore the database from before that migration"
            .formatted(release, floor.release(), floor.version(), floor.reason(), floor.release()));
  }
}
