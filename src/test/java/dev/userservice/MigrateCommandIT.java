package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** `java -jar user-service.jar migrate`, what the Kubernetes Job runs; and what the logs look like. */
class MigrateCommandIT {
  private static final String SECRET = "s3cret-" + UUID.randomUUID();

  @Test
  void migratesAnExternalDatabaseTwiceAndExits() throws Exception {
    DbSettings migrated = TestDatabase.createEmpty("job");
    Map<String, String> env = Map.of("DB_HOST", migrated.host(), "DB_PORT", Integer.toString(migrated.port()),
        "DB_NAME", migrated.database(), "DB_USER", migrated.user(), "DB_PASSWORD", SECRET);
    Path workDir = ServiceProcess.workDir("migrate");

    for (int run = 0; run < 2; run++) {
      try (ServiceProcess job = ServiceProcess.start(workDir, env, "migrate")) {
        assertThat(job.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", job.output())).isZero();
        assertLogsAreJsonWithoutTheSecret(job.output());
        assertThat(String.join("\n", job.output())).contains("database migrated");
      }
    }
    try (Connection c = DriverManager.getConnection(migrated.jdbcUrl(), migrated.user(), migrated.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM \"user\" WHERE id = 1")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
    assertThat(workDir.resolve("data")).as("an external database needs no local data").doesNotExist();
  }

  @Test
  void servesWithAnExternalDatabaseAndLogsEachRequestAsJson() throws Exception {
    DbSettings db = TestDatabase.settings();
    Map<String, String> env = Map.of("DB_HOST", db.host(), "DB_PORT", Integer.toString(db.port()),
        "DB_NAME", db.database(), "DB_USER", db.user(), "DB_PASSWORD", SECRET, "SHUTDOWN_DRAIN_MS", "0",
        "REQUEST_LOG", "all");
    Path workDir = ServiceProcess.workDir("external");
    try (ServiceProcess service = ServiceProcess.start(workDir, env)) {
      var api = service.awaitApi();
      assertThat(api.get("/user/1").status()).isIn(200, 404);
      assertThat(api.post("/user", "{\"username\": ").status()).isEqualTo(400);
      service.terminate();
      assertThat(service.awaitExit(Duration.ofSeconds(30))).isZero();
      assertLogsAreJsonWithoutTheSecret(service.output());
      JsonObject access = service.output().stream().map(JsonObject::new)
          .filter(line -> "http.access".equals(line.getString("logger")) && "/user/{id}".equals(line.getString("route")))
          .findFirst().orElseThrow();
      assertThat(access.getString("method")).isEqualTo("GET");
      assertThat(access.getInteger("status")).isIn(200, 404);
      assertThat(access.getDouble("durationMs")).isNotNull();
    }
  }

  /** After a newer release's migrations, an older release does not become ready and says why in one line. */
  @Test
  void aReleaseOlderThanTheSchemaAllowsRefusesAndSaysWhyInOneLine() throws Exception {
    DbSettings db = TestDatabase.createEmpty("floor_line");
    dev.userservice.db.Migrations.migrate(db, 0);
    dev.userservice.support.Sql.execute(db, """
        INSERT INTO schema_release_floor VALUES (99, '99.0.0', 'a migration of a release from the future')""");
    try (ServiceProcess service = ServiceProcess.start(ServiceProcess.workDir("floor"),
        ServiceProcess.env(db, "SHUTDOWN_DRAIN_MS", "0"))) {
      var api = service.awaitApi();
      assertThat(api.get("/ready").status()).isEqualTo(503);
      assertThat(api.get("/health").status()).isEqualTo(200);
      List<String> refusals = service.output().stream().filter(line -> line.contains("\"not ready: ")).toList();
      assertThat(refusals).as(String.join("\n", service.output())).hasSize(1);
      JsonObject refusal = new JsonObject(refusals.getFirst());
      assertThat(refusal.getString("level")).isEqualTo("ERROR");
      assertThat(refusal.getString("message")).matches("not ready: this release [0-9.]+ is older than 99\\.0\\.0, the oldest "
          + "release the database's schema allows \\(migration 99: a migration of a release from the future\\); run "
          + "99\\.0\\.0 or newer, or restore the database from before that migration");
    }
  }

  private static void assertLogsAreJsonWithoutTheSecret(List<String> lines) {
    assertThat(lines).isNotEmpty().allSatisfy(line -> {
      JsonObject json = new JsonObject(line);
      assertThat(json.fieldNames()).contains("timestamp", "level", "logger", "message");
      assertThat(line).doesNotContain(SECRET);
    });
  }
}
