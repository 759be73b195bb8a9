package dev.userservice.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.db.Migrations;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.Response;
import dev.userservice.support.Releases;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.Sql;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.Tools;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Earlier releases, built from the commits CHANGELOG.md names (scripts/build-release.sh), run as
 * processes against this release's schema: the previous release serves on it (a rollback is
 * allowed) and its migration step leaves it alone; and data written by 1.0.0 comes through an
 * upgrade to this release's schema in one step.
 */
class ReleasesIT {
  private static final Duration START = Duration.ofSeconds(90);

  @Test
  @Timeout(900)
  void thePreviousReleaseServesOnThisSchemaAndItsMigrationJobLeavesItAlone() throws Exception {
    Path jar = Releases.jar("1.2.0");
    DbSettings db = TestDatabase.createEmpty("release_1_2_0");
    Migrations.migrate(db, 0);
    String history = Sql.value(db, "SELECT string_agg(version || ':' || checksum, ',' ORDER BY installed_rank) FROM flyway_schema_history");

    // helm rollback runs the previous release's migration Job: on a newer schema it changes nothing.
    try (ServiceProcess job = ServiceProcess.startJar(jar, ServiceProcess.workDir("release-job"),
        ServiceProcess.env(db), List.of(), "migrate")) {
      assertThat(job.awaitExit(START)).as(String.join("\n", job.output())).isZero();
    }
    assertThat(Sql.value(db, "SELECT string_agg(version || ':' || checksum, ',' ORDER BY installed_rank) FROM flyway_schema_history"))
        .isEqualTo(history);

    try (ServiceProcess previous = ServiceProcess.startJar(jar, ServiceProcess.workDir("release-1.2.0"),
        ServiceProcess.env(db, "SHUTDOWN_DRAIN_MS", "0"), List.of())) {
      ApiClient api = previous.awaitApi();
      Await.until("1.2.0 ready on schema " + Migrations.LATEST_VERSION, () -> api.get("/ready").status() == 200, START);
      long id = api.createUser("rollback");
      Response read = api.get("/user/" + id);
      assertThat(read.status()).isEqualTo(200);
      Response updated = api.request("PUT", "/user/" + id, new JsonObject().put("username", "rolled-back-" + id).encode()
          .getBytes(java.nio.charset.StandardCharsets.UTF_8), "content-type", ApiClient.JSON, "If-Match", read.header("ETag"));
      assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
      assertThat(updated.header("ETag")).isEqualTo("\"2\"");
    }
  }

  @Test
  @Timeout(900)
  void whatReleaseOneZeroWroteComesThroughAnUpgradeToThisSchemaInOneStep() throws Exception {
    Path jar = Releases.jar("1.0.0");
    DbSettings db = TestDatabase.createEmpty("release_1_0_0");
    try (ServiceProcess job = ServiceProcess.startJar(jar, ServiceProcess.workDir("release-1.0.0-job"),
        ServiceProcess.env(db), List.of(), "migrate")) {
      assertThat(job.awaitExit(START)).as(String.join("\n", job.output())).isZero();
    }
    Map<Long, JsonObject> written = new LinkedHashMap<>();
    try (ServiceProcess first = ServiceProcess.startJar(jar, ServiceProcess.workDir("release-1.0.0"),
        ServiceProcess.env(db, "SHUTDOWN_DRAIN_MS", "0"), List.of())) {
      ApiClient api = first.awaitApi();
      Await.until("1.0.0 ready", () -> api.get("/ready").status() == 200, START);
      for (int i = 0; i < 50; i++) {
        JsonObject user = new JsonObject().put("username", ApiClient.uniqueName("one-zero")).put("firstName", "Ada " + i)
            .put("lastName", null).put("email", "ada" + i + "@example.com").put("phone", "+44 20 7946 " + (1000 + i));
        Response created = api.post("/user", user.encode());
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        written.put(created.json().getLong("id"), user);
      }
    }

    assertThat(Migrations.migrate(db, 0)).isEqualTo(Integer.parseInt(Migrations.LATEST_VERSION) - 1);
    try (ServiceProcess current = ServiceProcess.start(ServiceProcess.workDir("release-current"),
        ServiceProcess.env(db, "SHUTDOWN_DRAIN_MS", "0"))) {
      ApiClient api = current.awaitApi();
      Await.until("this release ready", () -> api.get("/ready").status() == 200, START);
      for (var entry : written.entrySet()) {
        Response read = api.get("/user/" + entry.getKey());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json()).isEqualTo(entry.getValue().copy().put("id", entry.getKey()));
        assertThat(read.header("ETag")).as("every row starts at version 1").isEqualTo("\"1\"");
      }
    }
  }
}
