package dev.userservice.support;

import dev.userservice.db.DbSettings;
import dev.userservice.db.EmbeddedDatabase;
import dev.userservice.db.Migrations;
import java.nio.file.Path;

/**
 * One real PostgreSQL for the whole test JVM, started through the service's own embedded
 * database code in a folder under target/, and migrated once. Tests use unique usernames,
 * so they can share it.
 */
public final class TestDatabase {
  private static DbSettings settings;

  private TestDatabase() {
  }

  public static synchronized DbSettings settings() {
    if (settings == null) {
      Path dir = Path.of("target", "test-postgres-" + ProcessHandle.current().pid());
      EmbeddedDatabase database = EmbeddedDatabase.start(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(database::close));
      settings = database.settings();
      Migrations.migrate(settings, 0);
    }
    return settings;
  }
}
