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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Far more concurrent clients than database connections. Requests that cannot get a connection
 * in time get a fast 503 with Retry-After instead of queueing without bound; memory stays inside
 * the container limit; no 500; throughput after the burst is what it was before.
 */
class OverloadIT {
  private static final int POOL_SIZE = 2;
  private static final long POOL_WAIT_MS = 200;
  private static final long REQUEST_TIMEOUT_MS = 2000;
  private static final int BURST_CLIENTS = 1000;
  private static final Duration BURST = Duration.ofSeconds(6);

  @Test
  void burstOfClientsGetsFast503sAndTheServiceComesBack() throws Exception {
    Tools.require("wrk");
    DbSettings db = TestDatabase.settings();
    Map<String, String> env = ServiceProcess.env(db, "REQUEST_LOG", "off",
        "DB_POOL_SIZE", Integer.toString(POOL_SIZE), "DB_POOL_WAIT_MS", Long.toString(POOL_WAIT_MS),
        "DB_POOL_MAX_WAITING", "16", "REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS));
    Path workDir = ServiceProcess.workDir("overload");
    try (ServiceProcess service = ServiceProcess.start(workDir, env, ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = service.awaitApi();
      MixedLoad.startWithPlainCreates(api, new WriteLedger("overload-warmup-"), 16, Duration.ZERO).stopAfter(Duration.ofSeconds(2));
      List<Sample> before = MixedLoad.startWithPlainCreates(api, new WriteLedger("overload-before-"), 16, Duration.ZERO)
          .stopAfter(Duration.ofSeconds(3));

      long cpuBefore = service.cpuMillis();
      Burst burst = burst(api);
      double burstCores = (service.cpuMillis() - cpuBefore) / (double) BURST.toMillis();
      // Requests wrk left queued when it stopped are answered (or time out) within the request
      // timeout: "after" starts once they are gone, so it measures the service, not the backlog.
      long drained = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (api.metric("http_server_requests_in_flight") > 1) { // the /metrics request itself
        assertThat(System.nanoTime()).as("the burst's requests were all answered").isLessThan(drained);
        Thread.sleep(50);
      }

      List<Sample> after = MixedLoad.startWithPlainCreates(api, new WriteLedger("overload-after-"), 16, Duration.ZERO)
          .stopAfter(Duration.ofSeconds(3));
      ServiceProcess.Memory memory = service.memory();
      double beforeRate = before.size() / 3.0;
      double afterRate = after.size() / 3.0;

      System.out.printf("overload: %d connections on %d database connections for %d s: %d requests, "
              + "%d created (%.0f/s), %d x 503 (%d without Retry-After), %d other, %d socket errors; "
              + "latency p50 %.1f ms p99 %.1f ms max %.1f ms; service CPU %.1f of %d cores; "
              + "peak RSS %d MiB (container limit 384 MiB); mixed load of 16 clients before %.0f req/s "
              + "(%d failed), after %.0f req/s (%d failed)%n",
          BURST_CLIENTS, POOL_SIZE, BURST.toSeconds(), burst.count("requests"), burst.count("ok"),
          burst.count("ok") / (double) BURST.toSeconds(), burst.count("unavailable"), burst.count("no_retry_after"),
          burst.count("other"), burst.count("socket_errors"), burst.millis("p50_ms"), burst.millis("p99_ms"),
          burst.millis("max_ms"), burstCores, Runtime.getRuntime().availableProcessors(), memory.peakRssMib(),
          beforeRate, before.stream().filter(s -> !s.ok()).count(), afterRate,
          after.stream().filter(s -> !s.ok()).count());

      assertThat(burst.count("other")).as("only 200 or 503 under overload, never a 500").isZero();
      assertThat(burst.count("socket_errors")).as("no connection dropped or left hanging").isZero();
      assertThat(burst.count("unavailable")).as("the burst was more than the pool could take").isPositive();
      assertThat(burst.count("no_retry_after")).as("every 503 says when to retry").isZero();
      assertThat(burst.count("wrong_message")).as("every 503 carries the contract's message").isZero();
      assertThat(burst.count("ok")).as("the service kept doing useful work through the burst").isPositive();
      assertThat(burst.millis("max_ms")).as("nobody queued past the request timeout")
          .isLessThan(REQUEST_TIMEOUT_MS + 1500);
      assertThat(memory.peakRssMib()).as("memory inside the container limit").isLessThan(384);
      assertThat(before).allMatch(Sample::ok);
      assertThat(after).as("no errors once the burst is over").allMatch(Sample::ok);
      assertThat(afterRate).as("throughput back to normal").isGreaterThan(beforeRate * 0.5);
    }
  }

  /** What wrk counted in the burst (see src/test/resources/overload/burst.lua). */
  private record Burst(Map<String, Double> figures) {
    long count(String name) {
      return Math.round(figures.getOrDefault(name, Double.NaN));
    }

    double millis(String name) {
      return figures.getOrDefault(name, Double.NaN);
    }
  }

  /**
   * wrk, not a Java client: a thousand connections sending back to back cost wrk little CPU, so
   * the latencies it reports are the service's, not a busy test JVM's.
   */
  private static Burst burst(ApiClient api) throws Exception {
    Path script = Path.of("src", "test", "resources", "overload", "burst.lua").toAbsolutePath();
    Tools.Result wrk = Tools.run(Path.of("."), BURST.toSeconds() + 60, "wrk", "-t2", "-c" + BURST_CLIENTS,
        "-d" + BURST.toSeconds() + "s", "--timeout", "10s", "-s", script.toString(), api.base());
    String line = wrk.output().lines().filter(l -> l.startsWith("burst ")).findFirst()
        .orElseThrow(() -> new AssertionError("wrk printed no summary:\n" + wrk.output()));
    Map<String, Double> figures = new java.util.HashMap<>();
    for (String pair : line.substring("burst ".length()).split(" ")) {
      String[] kv = pair.split("=");
      figures.put(kv[0], Double.parseDouble(kv[1]));
    }
    return new Burst(figures);
  }
}
