package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The schema step, each test on a database of its own that starts empty. */
class MigrationsTest {
  private DbSettings empty;

  @BeforeEach
  void createEmptyDatabase() {
    empty = TestDatabase.createEmpty("migration");
  }

  @Test
  void appliesToAnEmptyDatabaseAndSeedsUserOne() throws SQLException {
    assertThat(Migrations.migrate(empty, 0)).isEqualTo(Integer.parseInt(Migrations.LATEST_VERSION));
    try (Connection c = connect(empty); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT username, email FROM \"user\" WHERE id = 1")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isNotBlank();
    }
  }

  /**
   * A migration stuck behind a long transaction fails after the lock timeout instead of queueing
   * every request behind its lock; the migration Job runs it again later, and then it applies.
   */
  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aMigrationBehindALongTransactionFailsFastAndAppliesOnTheNextTry() throws SQLException {
    Migrations.migrate(empty, 0, "2");
    try (Connection reader = connect(empty); Statement s = reader.createStatement()) {
      reader.setAutoCommit(false);
      s.executeQuery("SELECT count(*) FROM \"user\"").close(); // holds ACCESS SHARE until it ends
      long started = System.nanoTime();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Migrations.migrate(empty, 0))
          .hasStackTraceContaining("canceling statement due to lock timeout");
      System.out.printf("V3 behind a long transaction: failed after %d ms (lock_timeout %s)%n",
          (System.nanoTime() - started) / 1_000_000, Migrations.LOCK_TIMEOUT);
      reader.rollback();
    }
    assertThat(Migrations.migrate(empty, 0)).isEqualTo(Integer.parseInt(Migrations.LATEST_VERSION) - 2);
  }

  /**
   * The rule of docs/upgrading.md: a release's migrations leave the schema usable by the release
   * before it, so none drops or renames anything (a contraction comes one release after the code
   * stopped reading it, and then this test names the exception it allows).
   */
  @Test
  void noMigrationDropsOrRenamesWhatAnEarlierReleaseReads() throws Exception {
    java.util.regex.Pattern contraction = java.util.regex.Pattern.compile(
        "\\b(DROP\\s+(TABLE|COLUMN|INDEX|VIEW|CONSTRAINT)|RENAME\\s+(TO|COLUMN|CONSTRAINT)|ALTER\\s+COLUMN\\s+\\S+\\s+(TYPE|SET\\s+NOT\\s+NULL))\\b",
        java.util.regex.Pattern.CASE_INSENSITIVE);
    try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
      for (var file : files.filter(f -> f.getFileName().toString().endsWith(".sql")).toList()) {
        String sql = java.nio.file.Files.readString(file).replaceAll("--[^\\n]*", "");
        assertThat(contraction.matcher(sql).find()).as(file.getFileName() + " contracts the schema").isFalse();
      }
    }
    assertThat(contraction.matcher("ALTER TABLE \"user\" DROP COLUMN phone").find()).as("the check sees a DROP").isTrue();
    assertThat(contraction.matcher("alter table t rename column a to b").find()).isTrue();
  }

  @Test
  void releaseVersionsCompareAsNumbers() {
    assertThat(ReleaseVersion.compare("1.10.0", "1.9.0")).isPositive();
    assertThat(ReleaseVersion.compare("1.2.0", "1.2.0")).isZero();
    assertThat(ReleaseVersion.compare("1.2.0-SNAPSHOT", "1.3.0")).isNegative();
    assertThat(ReleaseVersion.compare("2.0.0", "1.99.99")).isPositive();
  }

  @Test
  void everyMigrationRecordsTheOldestReleaseThatMayRunOnIt() throws SQLException {
    Migrations.migrate(empty, 0);
    try (Connection c = connect(empty); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("""
             SELECT h.version, f.oldest_release FROM flyway_schema_history h
             LEFT JOIN schema_release_floor f ON f.version = h.version::bigint
             WHERE h.version IS NOT NULL ORDER BY h.installed_rank""")) {
      int migrations = 0;
      while (rs.next()) {
        assertThat(rs.getString(2)).as("floor of migration " + rs.getString(1)).isNotNull();
        migrations++;
      }
      assertThat(migrations).isEqualTo(Integer.parseInt(Migrations.LATEST_VERSION));
    }
  }

  @Test
  void secondRunChangesNothing() throws SQLException {
    Migrations.migrate(empty, 0);
    String before = snapshot();
    assertThat(Migrations.migrate(empty, 0)).isZero();
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void deletedUserOneStaysDeleted() throws SQLException {
    Migrations.migrate(empty, 0);
    execute("DELETE FROM \"user\" WHERE id = 1");
    Migrations.migrate(empty, 0);
    assertThat(count("SELECT count(*) FROM \"user\" WHERE id = 1")).isZero();
  }

  @Test
  void newIdsNeverCollideWithUserOne() throws SQLException {
    Migrations.migrate(empty, 0);
    try (Connection c = connect(empty); Statement s = c.createStatement()) {
      for (int i = 0; i < 3; i++) {
        try (ResultSet rs = s.executeQuery("INSERT INTO \"user\" (username) VALUES ('n" + i + "') RETURNING id")) {
          rs.next();
          assertThat(rs.getLong(1)).isGreaterThan(1);
        }
      }
    }
    assertThat(count("SELECT count(*) FROM \"user\"")).isEqualTo(4);
  }

  /** V2 on a database that has run V1 for a while: its rows get version 1 and nothing else changes. */
  @Test
  void versionsApplyToADatabaseThatAlreadyHoldsVersionOneData() throws SQLException {
    Flyway.configure().dataSource(empty.jdbcUrl(), empty.user(), empty.password())
        .locations("classpath:db/migration").target("1").load().migrate();
    execute("INSERT INTO \"user\" (username, email) VALUES ('before-v2', 'b@example.com')");
    execute("UPDATE \"user\" SET first_name = 'Johnny' WHERE id = 1");

    assertThat(Migrations.migrate(empty, 0)).isEqualTo(3); // V2, V3 and V4

    assertThat(count("SELECT count(*) FROM \"user\" WHERE version = 1")).isEqualTo(2);
    assertThat(count("SELECT count(*) FROM \"user\" WHERE owner_subject IS NULL"))
        .as("rows from before API 1.2 belong to no one").isEqualTo(2);
    assertThat(count("SELECT count(*) FROM \"user\" WHERE username = 'before-v2' AND email = 'b@example.com'"))
        .isEqualTo(1);
    assertThat(count("SELECT count(*) FROM \"user\" WHERE id = 1 AND first_name = 'Johnny'")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM idempotency_key")).isZero();
    assertThat(count("SELECT count(*) FROM pg_indexes WHERE indexname = 'idempotency_key_expires_at'")).isEqualTo(1);
  }

  @Test
  void idsCannotBeInsertedByHand() throws SQLException {
    Migrations.migrate(empty, 0);
    try (Connection c = connect(empty); Statement s = c.createStatement()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> s.execute("INSERT INTO \"user\" (id, username) VALUES (2, 'by-hand')"))
          .isInstanceOf(SQLException.class);
    }
  }

  private String snapshot() throws SQLException {
    try (Connection c = connect(empty); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT (SELECT string_agg(id || ':' || username, ',' ORDER BY id) FROM \"user\")"
             + " || '|' || (SELECT count(*) FROM flyway_schema_history)")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long count(String sql) throws SQLException {
    try (Connection c = connect(empty); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = connect(empty); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static Connection connect(DbSettings db) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
  }
}
