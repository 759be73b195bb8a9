package dev.userservice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A pod that starts before its migration Job has run takes no traffic until the schema is there. */
class SchemaReadinessTest {

  @Test
  void readyStays503UntilTheMigrationHasRun() throws Exception {
    DbSettings empty = TestDatabase.createEmpty("unmigrated");
    try (TestService service = TestService.start(empty, Map.of())) {
      assertThat(service.api.get("/health").status()).isEqualTo(200);
      assertThat(service.api.get("/ready").status()).isEqualTo(503);

      Migrations.migrate(empty, 0);

      long deadline = System.currentTimeMillis() + 10_000;
      while (service.api.get("/ready").status() != 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(service.api.get("/ready").status()).isEqualTo(200);
      assertThat(service.api.get("/user/1").status()).isEqualTo(200);
    }
  }

  /** A release older than a newer release's migrations allow refuses traffic until the floor allows it. */
  @Test
  void aReleaseOlderThanTheSchemaAllowsStaysUnready() throws Exception {
    DbSettings db = TestDatabase.createEmpty("floor");
    Migrations.migrate(db, 0);
    dev.userservice.support.Sql.execute(db, """
        INSERT INTO schema_release_floor VALUES (99, '99.0.0', 'a migration of a release from the future')""");
    try (TestService service = TestService.start(db, Map.of())) {
      assertThat(service.api.get("/health").status()).isEqualTo(200);
      assertThat(service.api.get("/ready").status()).isEqualTo(503);

      dev.userservice.support.Sql.execute(db, "DELETE FROM schema_release_floor WHERE version = 99");
      dev.userservice.support.Await.until("ready once the floor allows this release",
          () -> service.api.get("/ready").status() == 200, java.time.Duration.ofSeconds(20));
    }
  }

  @Test
  void latestVersionConstantNamesTheNewestMigrationFile() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
      String newest = files.map(f -> f.getFileName().toString())
          .filter(f -> f.matches("V\\d+__.*\\.sql"))
          .map(f -> f.substring(1, f.indexOf("__")))
          .max(Comparator.comparingInt(Integer::parseInt))
          .orElseThrow();
      assertThat(Migrations.LATEST_VERSION).isEqualTo(newest);
    }
  }
}
