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
import org.junit.jupiter.api.Test;

/**
 * SIGKILL mid-run, no shutdown hook at all: every write the clients saw acknowledged is in the
 * database, the writes cut off are either wholly there or wholly absent, and a new process
 * serves the same data.
 */
class KillUnderLoadIT {

  @Test
  void sigkillMidRunLosesNothingAcknowledged() throws Exception {
    DbSettings db = TestDatabase.settings();
    Map<String, String> env = ServiceProcess.env(db, "REQUEST_LOG", "off");
    Path workDir = ServiceProcess.workDir("kill");
    WriteLedger ledger = new WriteLedger("kill-");
    List<Sample> samples;
    MixedLoad load;
    try (ServiceProcess service = ServiceProcess.start(workDir, env, ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = service.awaitApi();
      load = MixedLoad.start(api, ledger, 16, Duration.ZERO);
      Thread.sleep(3000);
      service.kill();
      samples = load.stop();
    }
    long cutOff = samples.stream().filter(s -> s.status() == MixedLoad.NO_ANSWER).count();

    try (ServiceProcess restarted = ServiceProcess.start(workDir, env, ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = restarted.awaitApi();
      // The creates the kill cut off are sent again, each with its own key, to the new process.
      int pendingAfterKill = load.pendingCreates();
      int unresolvedCreates = load.settlePendingCreates(api, Duration.ofSeconds(20));
      WriteLedger.Verdict verdict = ledger.verify(db);
      WriteLedger after = new WriteLedger("kill-after-");
      List<Sample> afterSamples = MixedLoad.start(api, after, 4, Duration.ofMillis(5)).stopAfter(Duration.ofSeconds(2));

      System.out.printf("SIGKILL under load: %d requests before the kill, %d without an answer, "
              + "writes acknowledged %d, writes cut off %d, users checked %d, lost or half-applied %d; "
              + "after restart %d requests, %d failed; creates cut off %d, retried with their key %d "
              + "(answered by a replay %d), left unknown %d%n",
          samples.size(), cutOff, ledger.acknowledgedWrites(), ledger.unacknowledgedWrites(), verdict.users(),
          verdict.violations().size(), afterSamples.size(), afterSamples.stream().filter(s -> !s.ok()).count(),
          pendingAfterKill, load.retriedCreates(), load.replayedCreates(), unresolvedCreates);
      assertThat(ledger.acknowledgedWrites()).isGreaterThan(100);
      assertThat(verdict.violations()).as("acknowledged writes survive SIGKILL, nothing half-applied").isEmpty();
      assertThat(unresolvedCreates).as("every intended user created exactly once: none left unknown").isZero();
      assertThat(afterSamples).hasSizeGreaterThan(20).allMatch(Sample::ok);
      assertThat(after.verify(db).violations()).isEmpty();
    }
  }
}
