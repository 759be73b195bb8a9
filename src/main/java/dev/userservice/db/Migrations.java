package dev.userservice.db;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the SQL files under db/migration. Safe to run any number of times. */
public final class Migrations {
  /** The version of the newest file in db/migration; a test keeps the two in step. */
  public static final String LATEST_VERSION = "4";

  /**
   * How long a migration's statement waits for a lock before it fails: behind a long transaction
   * it fails fast (the migration Job retries it) instead of queueing every request behind it.
   */
  public static final String LOCK_TIMEOUT = "5s";

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /**
   * @param connectRetries how many times to retry reaching the database, so that a
   *     migration Job started next to a database that is still booting waits for it
   * @return the number of migrations applied by this run (0 when the schema was current)
   */
  public static int migrate(DbSettings db, int connectRetries) {
    return migrate(db, connectRetries, "latest");
  }

  /** As {@link #migrate(DbSettings, int)}, up to migration {@code target} ("latest" for all). */
  public static int migrate(DbSettings db, int connectRetries, String target) {
    Flyway flyway = Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration")
        .connectRetries(connectRetries)
        .connectRetriesInterval(2)
        .target(target)
        .initSql("SET lock_timeout = '" + LOCK_TIMEOUT + "'")
        // A session-level advisory lock, not a transactional one: a migration that builds an
        // index CONCURRENTLY runs outside a transaction and would wait forever on the latter.
        .configuration(java.util.Map.of("flyway.postgresql.transactional.lock", "false"))
        .load();
    var result = flyway.migrate();
    log.atInfo()
        .addKeyValue("applied", result.migrationsExecuted)
        .addKeyValue("schemaVersion", result.targetSchemaVersion)
        .log("database migrated");
    return result.migrationsExecuted;
  }
}
