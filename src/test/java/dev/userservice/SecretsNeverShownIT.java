package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The database password never leaves the process: not in a log line (at DEBUG, every request
 * logged, through start, failures and shutdown), not in /metrics, not in any answer.
 */
class SecretsNeverShownIT {
  private static final String PASSWORD = "pw-" + UUID.randomUUID();

  @Test
  void passwordAppearsNowhereWithTheDatabaseUpOrUnreachable() throws Exception {
    DbSettings db = TestDatabase.settings();
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    List<String> everything = new ArrayList<>();
    everything.addAll(runAndCollect(db, true));
    everything.addAll(runAndCollect(new DbSettings("127.0.0.1", closedPort, db.database(), db.user(), ""), false));

    System.out.printf("secrets: %d log lines and answers checked, database up and unreachable, at DEBUG%n",
        everything.size());
    assertThat(everything).hasSizeGreaterThan(50)
        .noneMatch(text -> text.contains(PASSWORD));
  }

  /** Starts the jar against the given database, sends every kind of request, stops it; returns all it said. */
  private static List<String> runAndCollect(DbSettings db, boolean databaseUp) throws Exception {
    Path workDir = ServiceProcess.workDir("secrets");
    Map<String, String> env = ServiceProcess.env(db, "DB_PASSWORD", PASSWORD, "LOG_LEVEL", "DEBUG",
        "REQUEST_LOG", "all", "SHUTDOWN_DRAIN_MS", "0", "DB_CONNECT_TIMEOUT_MS", "500");
    List<String> said = new ArrayList<>();
    try (ServiceProcess service = ServiceProcess.start(workDir, env)) {
      ApiClient api = service.awaitApi();
      List<Response> answers = new ArrayList<>();
      answers.add(api.get("/ready"));
      answers.add(api.get("/user/1"));
      answers.add(api.post("/user", "{\"username\":\"" + ApiClient.uniqueName("secret") + "\"}"));
      answers.add(api.post("/user", "{\"username\":1}"));
      answers.add(api.put("/user/999999999", "{\"username\":\"nobody\"}"));
      answers.add(api.delete("/user/abc"));
      answers.add(api.get("/nowhere"));
      answers.add(api.get("/metrics"));
      if (databaseUp) {
        assertThat(answers.getFirst().status()).isEqualTo(200);
      } else {
        assertThat(answers.get(1).status()).isEqualTo(503);
      }
      answers.forEach(r -> {
        said.add(r.body());
        said.add(r.headers().map().toString());
      });
      service.terminate();
      assertThat(service.awaitExit(Duration.ofSeconds(30))).isZero();
      said.addAll(service.output());
    }
    return said;
  }
}
