package dev.userservice.db;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the SQL files under db/migration. Safe to run any number of times. */
public final class Migrations {
  /** The version of the newest file in db/migration; a test keeps the two in step. */
  public static final String LATEST_VERSION = "3";

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /**
   * @param connectRetries how many times to retry reaching the database, so that a
   *     migration Job started next to a database that is still booting waits for it
   * @return the number of migrations applied by this run (0 when the schema was current)
   */
  public static int migrate(DbSettings db, int connectRetries) {
    Flyway flyway = Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration")
        .connectRetries(connectRetries)
        .connectRetriesInterval(2)
        .load();
    var result = flyway.migrate();
    log.atInfo()
        .addKeyValue("applied", result.migrationsExecuted)
        .addKeyValue("schemaVersion", result.targetSchemaVersion)
        .log("database migrated");
    return result.migrationsExecuted;
  }
}
