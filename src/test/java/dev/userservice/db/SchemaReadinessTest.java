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
