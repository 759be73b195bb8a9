package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while clients are sending requests. Clients act like a load balancer would: they stop
 * sending new requests once /ready says 503. None of their requests may fail.
 */
class GracefulShutdownIT {
  private static final long DRAIN_MS = 1500;

  @Test
  void sigtermDuringAStreamOfRequestsLosesNone() throws Exception {
    DbSettings db = TestDatabase.settings();
    Map<String, String> env = Map.of("DB_HOST", db.host(), "DB_PORT", Integer.toString(db.port()),
        "DB_NAME", db.database(), "DB_USER", db.user(), "SHUTDOWN_DRAIN_MS", Long.toString(DRAIN_MS),
        "REQUEST_LOG", "off");
    Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), "shutdown");
    try (ServiceProcess service = ServiceProcess.start(workDir, env);
         ExecutorService threads = Executors.newFixedThreadPool(5)) {
      ApiClient api = service.awaitApi();
      AtomicBoolean outOfRotation = new AtomicBoolean();

      Future<Long> readinessWatcher = threads.submit(() -> {
        long started = System.nanoTime();
        while (api.get("/ready").status() == 200) {
          Thread.sleep(50);
        }
        outOfRotation.set(true);
        return (System.nanoTime() - started) / 1_000_000;
      });
      List<Future<List<Response>>> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int client = c;
        clients.add(threads.submit(() -> {
          List<Response> responses = new ArrayList<>();
          while (!outOfRotation.get()) {
            responses.add(client % 2 == 0 ? api.get("/user/1") : api.post("/user",
                "{\"username\":\"" + ApiClient.uniqueName("drain") + "\"}"));
          }
          return responses;
        }));
      }

      Thread.sleep(1000);
      long signalled = System.nanoTime();
      service.terminate();
      int exitCode = service.awaitExit(Duration.ofSeconds(30));
      long exitMillis = (System.nanoTime() - signalled) / 1_000_000;
      readinessWatcher.get();

      List<Response> all = new ArrayList<>();
      for (Future<List<Response>> client : clients) {
        all.addAll(client.get());
      }
      System.out.printf("graceful shutdown: %d requests, exit %d after %d ms (drain %d ms)%n",
          all.size(), exitCode, exitMillis, DRAIN_MS);
      assertThat(all).hasSizeGreaterThan(20);
      assertThat(all).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isIn(200, 404));
      assertThat(exitCode).isZero();
      assertThat(exitMillis).isGreaterThanOrEqualTo(DRAIN_MS).isLessThan(DRAIN_MS + 10_000);
    }
  }
}
