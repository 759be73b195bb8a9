package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.MixedLoad.Sample;
import dev.userservice.support.RestartablePostgres;
import dev.userservice.support.TestService;
import dev.userservice.support.WriteLedger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops for five seconds under a steady mixed load and starts again. The service
 * answers fast while it is gone, says so on /ready, heals by itself, and loses no write it
 * acknowledged.
 */
class DatabaseRestartUnderLoadIT {
  private static final long REQUEST_TIMEOUT_MS = 2000;
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  /** Errors must be over this long after the database is back. */
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(5);

  private record ReadyProbe(long atNanos, int status) {
  }

  @Test
  void restartUnderLoadFailsFastRecoversAndLosesNothingAcknowledged() throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres();
         TestService service = TestService.start(postgres.settings(), Map.of(
             "REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS), "DB_CONNECT_TIMEOUT_MS", "1000"))) {
      ApiClient api = service.api;
      WriteLedger ledger = new WriteLedger("restart-");
      var probes = new ConcurrentLinkedQueue<ReadyProbe>();
      var probing = new AtomicBoolean(true);
      Thread readyWatcher = Thread.ofVirtual().start(() -> {
        while (probing.get()) {
          probes.add(new ReadyProbe(System.nanoTime(), api.get("/ready").status()));
          sleep(Duration.ofMillis(100));
        }
      });

      MixedLoad load = MixedLoad.start(api, ledger, 8, Duration.ofMillis(5));
      Thread.sleep(3000);
      long stoppedAt = System.nanoTime();
      postgres.stop();
      Thread.sleep(OUTAGE);
      long restarting = System.nanoTime();
      postgres.start();
      long startedAt = System.nanoTime();
      Thread.sleep(8000);
      List<Sample> samples = load.stop();
      probing.set(false);
      readyWatcher.join();

      List<Sample> before = samples.stream().filter(s -> s.answeredNanos() < stoppedAt).toList();
      List<Sample> failed = samples.stream().filter(s -> !s.ok()).toList();
      List<Sample> failedDuringOutage = failed.stream()
          .filter(s -> s.answeredNanos() >= stoppedAt && s.sentNanos() <= startedAt).toList();
      // Recovery counts from the moment the database was asked to start, as an operator sees it.
      long lastFailure = failed.stream().mapToLong(Sample::answeredNanos).max().orElse(restarting);
      long recoveryMillis = Math.max(0, (lastFailure - restarting) / 1_000_000);
      long databaseStartMillis = (startedAt - restarting) / 1_000_000;
      List<Sample> failedAfterRecovery = failed.stream()
          .filter(s -> s.sentNanos() > startedAt + RECOVERY_LIMIT.toNanos()).toList();
      long slowestFailureMillis = failed.stream().mapToLong(Sample::millis).max().orElse(0);
      long sentAfterRecovery = samples.stream()
          .filter(s -> s.sentNanos() > startedAt + RECOVERY_LIMIT.toNanos()).count();
      boolean notReadyDuringOutage = probes.stream()
          .anyMatch(p -> p.atNanos() > stoppedAt && p.atNanos() < startedAt && p.status() == 503);
      // A create still unanswered when the load stopped is sent once more with its key.
      int unresolvedCreates = load.settlePendingCreates(api, Duration.ofSeconds(10));
      WriteLedger.Verdict verdict = ledger.verify(postgres.settings());

      System.out.printf("database restart under load: %d requests sent, %d failed before the outage, "
              + "%d failed during the %d s outage (slowest answer %d ms, statuses %s), "
              + "%d failed after recovery (%d sent then); database took %d ms to start, last failure %d ms "
              + "after its start began; "
              + "/ready 503 during the outage: %s; writes acknowledged %d, unknown %d, users checked %d, "
              + "lost or half-applied %d; creates retried with their key %d (answered by a replay %d), "
              + "left unknown %d%n",
          samples.size(), before.stream().filter(s -> !s.ok()).count(), failedDuringOutage.size(),
          OUTAGE.toSeconds(), slowestFailureMillis,
          failed.stream().map(Sample::status).distinct().sorted().toList(),
          failedAfterRecovery.size(), sentAfterRecovery, databaseStartMillis, recoveryMillis, notReadyDuringOutage,
          ledger.acknowledgedWrites(), ledger.unacknowledgedWrites(), verdict.users(), verdict.violations().size(),
          load.retriedCreates(), load.replayedCreates(), unresolvedCreates);

      assertThat(before).as("steady load before the outage").hasSizeGreaterThan(100).allMatch(Sample::ok);
      assertThat(failedDuringOutage).as("the outage was felt").isNotEmpty();
      assertThat(failed).as("failures are the contract's 503 (or, for a repeated create, 409 in progress), "
              + "never a 500 or a hang")
          .allSatisfy(s -> assertThat(s.status()).as(s.toString())
              .isIn(s.operation().equals("create") ? List.of(503, 409) : List.of(503)));
      assertThat(slowestFailureMillis).as("each failure answered within the request timeout")
          .isLessThan(REQUEST_TIMEOUT_MS + 1000);
      assertThat(notReadyDuringOutage).as("/ready said 503 while the database was down").isTrue();
      assertThat(sentAfterRecovery).as("load went on after recovery").isGreaterThan(100);
      assertThat(failedAfterRecovery).as("no failure once recovered").isEmpty();
      assertThat(probes.stream().reduce((a, b) -> b).orElseThrow().status()).as("/ready back to 200").isEqualTo(200);
      assertThat(verdict.violations()).as("every acknowledged write is in the database, nothing half-applied")
          .isEmpty();
      assertThat(verdict.acknowledgedRows()).isGreaterThan(50);
      assertThat(unresolvedCreates).as("every intended user created exactly once: none left unknown").isZero();
      assertThat(load.retriedCreates()).as("the outage made clients repeat creates").isPositive();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
