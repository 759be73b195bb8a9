package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ApiClient;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.MixedLoad.Sample;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.Tools;
import dev.userservice.support.WriteLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A bounded mixed run of a few minutes (soak.minutes, 3 by default) at a steady rate: no errors,
 * and heap after a full GC, RSS and p99 latency as flat in the last minute as in the first.
 */
class SoakIT {
  private static final int MINUTES = Integer.getInteger("soak.minutes", 3);
  private static final Duration MINUTE = Duration.ofSeconds(60);

  private record Minute(int number, long requests, long failed, double p99Millis, long heapAfterGcMib, long rssMib) {
  }

  @Test
  void steadyMixedLoadStaysFlat() throws Exception {
    DbSettings db = TestDatabase.settings();
    Map<String, String> env = ServiceProcess.env(db, "REQUEST_LOG", "errors");
    Path workDir = ServiceProcess.workDir("soak");
    try (ServiceProcess service = ServiceProcess.start(workDir, env, ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = service.awaitApi();
      WriteLedger ledger = new WriteLedger("soak-");
      MixedLoad load = MixedLoad.start(api, ledger, 8, Duration.ofMillis(10));
      long start = System.nanoTime();
      List<long[]> marks = new ArrayList<>(); // heap after GC and RSS at the end of each minute
      for (int m = 1; m <= MINUTES; m++) {
        Thread.sleep(Duration.ofNanos(Math.max(0, start + m * MINUTE.toNanos() - System.nanoTime())));
        marks.add(new long[] {heapAfterFullGcMib(service, api), service.memory().rssMib()});
      }
      List<Sample> samples = load.stop();

      List<Minute> minutes = new ArrayList<>();
      for (int m = 0; m < MINUTES; m++) {
        long from = start + m * MINUTE.toNanos();
        long to = from + MINUTE.toNanos();
        List<Sample> window = samples.stream().filter(s -> s.sentNanos() >= from && s.sentNanos() < to).toList();
        minutes.add(new Minute(m + 1, window.size(), window.stream().filter(s -> !s.ok()).count(),
            MixedLoad.percentileMillis(window, 99), marks.get(m)[0], marks.get(m)[1]));
      }
      System.out.println("soak: minute, requests, failed, p99 ms, heap after full GC MiB, RSS MiB");
      minutes.forEach(m -> System.out.printf("soak: %d, %d, %d, %.1f, %d, %d%n",
          m.number(), m.requests(), m.failed(), m.p99Millis(), m.heapAfterGcMib(), m.rssMib()));
      WriteLedger.Verdict verdict = ledger.verify(db);
      System.out.printf("soak: %d requests, %d writes acknowledged, %d lost%n", samples.size(),
          ledger.acknowledgedWrites(), verdict.violations().size());

      Minute first = minutes.getFirst();
      Minute last = minutes.getLast();
      assertThat(minutes).allSatisfy(m -> {
        assertThat(m.requests()).as("load kept its rate in minute " + m.number()).isGreaterThan(first.requests() / 2);
        assertThat(m.failed()).as("no errors in minute " + m.number()).isZero();
      });
      assertThat(last.heapAfterGcMib()).as("live heap flat (no leak)").isLessThanOrEqualTo(first.heapAfterGcMib() + 16);
      assertThat(last.rssMib()).as("RSS flat").isLessThanOrEqualTo(first.rssMib() + 48);
      assertThat(last.p99Millis()).as("p99 flat").isLessThanOrEqualTo(first.p99Millis() * 3 + 20);
      assertThat(verdict.violations()).isEmpty();
    }
  }

  /** A full GC through jcmd, then the heap in use as the service's own /metrics reports it. */
  private static long heapAfterFullGcMib(ServiceProcess service, ApiClient api) {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Tools.Result gc = Tools.run(Path.of("."), 60, java.resolveSibling("jcmd").toString(),
        Long.toString(service.pid()), "GC.run");
    assertThat(gc.exitCode()).as(gc.output()).isZero();
    double bytes = api.metric("jvm_memory_used_bytes", "area", "heap");
    assertThat(bytes).as("heap figures in /metrics").isPositive();
    return Math.round(bytes / (1024 * 1024));
  }
}
