package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ApiClient;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * With an external database the service writes no file in its working folder (in the container,
 * the read-only root filesystem): what the JVM itself writes goes to /tmp, the chart's emptyDir.
 */
class NoWritesIT {

  @Test
  void servingAndStoppingLeavesTheWorkingFolderEmpty() throws Exception {
    DbSettings db = TestDatabase.settings();
    Path workDir = ServiceProcess.workDir("nowrites");
    Map<String, String> env = ServiceProcess.env(db, "REQUEST_LOG", "all", "SHUTDOWN_DRAIN_MS", "0");
    try (ServiceProcess service = ServiceProcess.start(workDir, env, ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = service.awaitApi();
      long id = api.createUser("nowrites");
      assertThat(api.get("/user/" + id).status()).isEqualTo(200);
      assertThat(api.get("/metrics").status()).isEqualTo(200);
      service.terminate();
      assertThat(service.awaitExit(Duration.ofSeconds(30))).isZero();
    }
    try (Stream<Path> files = Files.list(workDir)) {
      assertThat(files.toList()).as("files the service wrote").isEmpty();
    }
  }
}
