package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.ServiceProcess;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `java -jar user-service.jar` with no database configured, as a new user would start it. */
class EmbeddedDefaultIT {

  @Test
  void servesOnTheEmbeddedDatabaseAndKeepsDataAcrossRestarts() throws Exception {
    Path workDir = ServiceProcess.workDir("embedded");
    String username = ApiClient.uniqueName("persisted");
    long id;
    try (ServiceProcess first = ServiceProcess.start(workDir, Map.of("SHUTDOWN_DRAIN_MS", "0"))) {
      ApiClient api = first.awaitApi();
      System.out.printf("first start (extracting PostgreSQL, initdb, migrate): %d ms to listening%n",
          first.sinceStart().toMillis());
      assertThat(api.get("/ready").status()).isEqualTo(200);
      assertThat(api.get("/user/1").status()).as("seeded by the migration").isEqualTo(200);
      id = api.post("/user", new JsonObject().put("username", username).encode()).json().getLong("id");
      first.terminate();
      assertThat(first.awaitExit(Duration.ofSeconds(30))).isZero();
    }
    assertThat(workDir.resolve("data/pgdata/PG_VERSION")).exists();

    try (ServiceProcess second = ServiceProcess.start(workDir, Map.of("SHUTDOWN_DRAIN_MS", "0"))) {
      ApiClient api = second.awaitApi();
      System.out.printf("restart on existing data: %d ms to listening%n", second.sinceStart().toMillis());
      JsonObject user = api.get("/user/" + id).json();
      assertThat(user.getString("username")).isEqualTo(username);
      second.terminate();
      assertThat(second.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void restartsAfterSigkillLeftItsPostgresRunning() throws Exception {
    Path workDir = ServiceProcess.workDir("killed");
    long id;
    try (ServiceProcess first = ServiceProcess.start(workDir, Map.of())) {
      ApiClient api = first.awaitApi();
      id = api.createUser("survives-kill");
      ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown hook runs
      first.awaitExit(Duration.ofSeconds(30));
    }
    try (ServiceProcess second = ServiceProcess.start(workDir, Map.of("SHUTDOWN_DRAIN_MS", "0"))) {
      ApiClient api = second.awaitApi();
      assertThat(api.get("/user/" + id).status()).isEqualTo(200);
      second.terminate();
      assertThat(second.awaitExit(Duration.ofSeconds(30))).isZero();
    }
  }

  @Test
  void refusesADataFolderOfAnotherPostgresMajorWithAClearMessage() throws Exception {
    Path workDir = ServiceProcess.workDir("old-major");
    Files.createDirectories(workDir.resolve("data/pgdata"));
    Files.writeString(workDir.resolve("data/pgdata/PG_VERSION"), "9.6\n");
    try (ServiceProcess service = ServiceProcess.start(workDir, Map.of())) {
      assertThat(service.awaitExit(Duration.ofSeconds(60))).isNotZero();
      assertThat(String.join("\n", service.output()))
          .contains("holds a PostgreSQL 9.6 database, but this build runs PostgreSQL 18");
    }
  }
}
