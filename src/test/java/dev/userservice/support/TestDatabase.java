package dev.userservice.support;

import dev.userservice.db.DbSettings;
import dev.userservice.db.EmbeddedDatabase;
import dev.userservice.db.Migrations;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * One real PostgreSQL for the whole test JVM, started through the service's own embedded
 * database code in a folder under target/, and migrated once. Tests use unique usernames,
 * so they can share it.
 */
public final class TestDatabase {
  private static DbSettings settings;

  private TestDatabase() {
  }

  /** A new, empty database on the same server, for a test that needs to start from nothing. */
  public static DbSettings createEmpty(String prefix) {
    DbSettings server = settings();
    String name = prefix + "_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new DbSettings(server.host(), server.port(), name, server.user(), server.password());
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
