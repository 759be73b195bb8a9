package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ApiClient;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.MixedLoad.Sample;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.WriteLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM while a steady mixed load runs. The clients act like a load balancer: they stop
 * sending new requests once /ready says 503. None of their requests may fail, and the process
 * exits 0 soon after the drain delay.
 */
class GracefulShutdownUnderLoadIT {
  private static final long DRAIN_MS = 1500;

  @Test
  void sigtermUnderLoadFailsNoRequestAndExitsZero() throws Exception {
    DbSettings db = TestDatabase.settings();
    Map<String, String> env = ServiceProcess.env(db, "SHUTDOWN_DRAIN_MS", Long.toString(DRAIN_MS),
        "REQUEST_LOG", "off");
    Path workDir = ServiceProcess.workDir("shutdown");
    try (ServiceProcess service = ServiceProcess.start(workDir, env, ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = service.awaitApi();
      var inRotation = new AtomicBoolean(true);
      Thread readinessWatcher = Thread.ofVirtual().start(() -> {
        while (api.get("/ready").status() == 200) {
          sleep(50);
        }
        inRotation.set(false);
      });
      WriteLedger ledger = new WriteLedger("drain-");
      MixedLoad load = MixedLoad.startWhile(api, ledger, 8, Duration.ofMillis(5), inRotation::get);

      Thread.sleep(3000); // a cold JVM: time for a few hundred requests before the signal
      long signalled = System.nanoTime();
      service.terminate();
      int exitCode = service.awaitExit(Duration.ofSeconds(30));
      long exitMillis = (System.nanoTime() - signalled) / 1_000_000;
      readinessWatcher.join();
      List<Sample> samples = load.stop();
      long failed = samples.stream().filter(s -> !s.ok()).count();
      long afterSignal = samples.stream().filter(s -> s.sentNanos() > signalled).count();
      WriteLedger.Verdict verdict = ledger.verify(db);

      System.out.printf("graceful shutdown under load: %d requests (%d sent after SIGTERM), %d failed, "
              + "exit %d after %d ms (drain %d ms), writes acknowledged %d, lost %d%n",
          samples.size(), afterSignal, failed, exitCode, exitMillis, DRAIN_MS, ledger.acknowledgedWrites(),
          verdict.violations().size());
      assertThat(samples).hasSizeGreaterThan(200);
      assertThat(afterSignal).as("requests went on during the drain").isPositive();
      assertThat(samples).as("no client request failed").allMatch(Sample::ok);
      assertThat(exitCode).isZero();
      assertThat(exitMillis).isGreaterThanOrEqualTo(DRAIN_MS).isLessThan(DRAIN_MS + 10_000);
      assertThat(verdict.violations()).isEmpty();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
