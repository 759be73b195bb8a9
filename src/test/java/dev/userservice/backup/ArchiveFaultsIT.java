package dev.userservice.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.backup.BackupDrill.Restored;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.ObjectStoreArchive;
import dev.userservice.support.Prometheus;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.Tools;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The object store misbehaves while the service runs under load: first the credentials are wrong,
 * then the store cannot be reached for minutes. The database keeps serving, PostgreSQL logs why,
 * the chart's WAL-archiving alert fires in a real Prometheus (fed by the postgres exporter) and
 * resolves, archiving resumes by itself, and a restore to the latest point afterwards has every
 * acknowledged write. The alert's windows are shortened through the chart's values only.
 */
class ArchiveFaultsIT {
  private static final String ALERT = "UserServiceWalArchivingFailing";
  private static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("backup.outageSeconds", 150));

  @Test
  @Timeout(1200)
  void archivingSurvivesWrongCredentialsAndAnUnreachableStoreAndTheAlertSaysSo() throws Exception {
    Tools.require("barman-cloud-backup", ObjectStoreArchive.s3rverCommand(), "prometheus", "prometheus-postgres-exporter");
    Path work = BackupDrill.workDir("faults");
    ObjectStoreArchive store = new ObjectStoreArchive(work, "user-service-pg");
    List<Process> helpers = new ArrayList<>();
    try (BackupDrill drill = new BackupDrill(work, store, "faults-")) {
      drill.bulkUsers(2_000);
      drill.baseBackup();
      Prometheus prometheus = startMonitoring(work, drill, helpers);
      ApiClient api = drill.startService();
      MixedLoad load = MixedLoad.start(api, drill.ledger, 4, Duration.ofMillis(20));

      // 1. Wrong credentials (s3rver checks the access key's id, not a v4 signature: a wrong id stands for both).
      long failedBefore = Long.parseLong(BackupDrill.archiverState(drill.primary.settings()).get("failed"));
      store.setCredentials("NOT-A-KEY", "not-a-secret");
      Times credentials = fault(prometheus, drill, () -> store.setCredentials(ObjectStoreArchive.ACCESS_KEY, "S3RVER"), Duration.ZERO);
      assertThat(drill.primary.log()).as("PostgreSQL's log says why archiving fails")
          .contains("Barman cloud WAL archiver exception: An error occurred (403) when calling the HeadBucket operation: Forbidden")
          .contains("archive command failed with exit code");
      assertThat(Long.parseLong(BackupDrill.archiverState(drill.primary.settings()).get("failed"))).isGreaterThan(failedBefore);

      // 2. The store unreachable (every connection refused) for minutes.
      store.unreachable();
      Times outage = fault(prometheus, drill, store::reachable, OUTAGE);
      assertThat(drill.primary.log()).contains("Barman cloud WAL archiver exception: Connection was closed before we received a valid response");

      List<MixedLoad.Sample> samples = load.stop();
      assertThat(load.settlePendingCreates(api, Duration.ofSeconds(20))).isZero();
      assertThat(samples).as("requests while archiving failed").hasSizeGreaterThan(500)
          .allMatch(MixedLoad.Sample::ok, "answered as the API document says: the database kept serving");
      drill.awaitArchived(Duration.ofSeconds(60));
      String latest = BackupDrill.checksum(drill.primary.settings());
      drill.destroyPrimary();
      try (Restored restored = drill.restore("restored", "latest")) {
        assertThat(BackupDrill.checksum(restored.server().settings())).isEqualTo(latest);
        BackupDrill.assertHolds(drill.ledger, restored.server().settings(), "restored after the faults");
      }
      System.out.printf("archive faults, %d requests all answered, %d writes acknowledged, none lost after a restore:%n"
              + "  wrong credentials: alert firing %d s after the cause, resolved %d s after it was fixed, archive caught up in %d s%n"
              + "  store unreachable %d s: alert firing %d s after the cause, resolved %d s after it was back, archive caught up in %d s%n",
          samples.size(), drill.ledger.acknowledgedWrites(), credentials.firingSeconds(), credentials.resolvedSeconds(),
          credentials.caughtUpSeconds(), OUTAGE.toSeconds(), outage.firingSeconds(), outage.resolvedSeconds(),
          outage.caughtUpSeconds());
    } finally {
      for (Process helper : helpers) {
        helper.destroy();
        helper.waitFor();
      }
    }
  }

  record Times(long firingSeconds, long resolvedSeconds, long caughtUpSeconds) {
  }

  /**
   * With the fault on: waits for the alert to fire, keeps the fault on for at least {@code atLeast},
   * then ends it and waits for archiving to catch up and the alert to resolve.
   */
  private static Times fault(Prometheus prometheus, BackupDrill drill, Runnable end, Duration atLeast) throws Exception {
    long start = System.nanoTime();
    Await.until(ALERT + " firing", () -> firing(prometheus), Duration.ofMinutes(5));
    long firing = System.nanoTime();
    Thread.sleep(Math.max(0, atLeast.toMillis() - (firing - start) / 1_000_000)); // the fault's length, not a wait for a condition
    end.run();
    long ended = System.nanoTime();
    long caughtUp = drill.awaitArchived(Duration.ofMinutes(3));
    Await.until(ALERT + " resolved", () -> !firing(prometheus), Duration.ofMinutes(5));
    return new Times((firing - start) / 1_000_000_000, (System.nanoTime() - ended) / 1_000_000_000, caughtUp / 1000);
  }

  private static boolean firing(Prometheus prometheus) {
    JsonArray alerts = prometheus.query("ALERTS{alertname=\"" + ALERT + "\",alertstate=\"firing\"}");
    alerts.forEach(a -> assertThat(((JsonObject) a).getJsonObject("metric").getString("severity")).isEqualTo("critical"));
    return !alerts.isEmpty();
  }

  /** The postgres exporter on the primary and Prometheus with the chart's rules, windows shortened through its values. */
  private static Prometheus startMonitoring(Path work, BackupDrill drill, List<Process> helpers) throws Exception {
    int exporterPort = Tools.freePort();
    var exporter = new ProcessBuilder("prometheus-postgres-exporter", "--web.listen-address=127.0.0.1:" + exporterPort,
        "--no-collector.bgwriter").redirectErrorStream(true).redirectOutput(work.resolve("exporter.log").toFile());
    exporter.environment().put("DATA_SOURCE_NAME",
        "postgresql://postgres@127.0.0.1:" + drill.primary.port() + "/postgres?sslmode=disable");
    helpers.add(exporter.start());
    RenderedChart.writePrometheusRules(work.resolve("rules.yml"),
        "metrics.prometheusRule.walArchivingWindow", "60s", "metrics.prometheusRule.walArchivingFailingFor", "10s");
    Files.writeString(work.resolve("prometheus.yml"), """
        global:
          scrape_interval: 2s
          evaluation_interval: 2s
        rule_files: [rules.yml]
        scrape_configs:
          - job_name: postgres-exporter
            static_configs:
              - targets: ['127.0.0.1:%d']
                labels: {namespace: hw3}
        """.formatted(exporterPort));
    int prometheusPort = Tools.freePort();
    helpers.add(new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + prometheusPort)
        .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start());
    Prometheus prometheus = new Prometheus("http://127.0.0.1:" + prometheusPort);
    Await.until("Prometheus scrapes pg_stat_archiver", () -> {
      try {
        return !prometheus.query("pg_stat_archiver_archived_count{namespace=\"hw3\"}").isEmpty();
      } catch (IllegalStateException notUpYet) {
        return false;
      }
    }, Duration.ofSeconds(60));
    assertThat(prometheus.get("/api/v1/rules").getJsonObject("data").getJsonArray("groups")).isNotEmpty();
    assertThat(firing(prometheus)).as(ALERT + " before any fault").isFalse();
    return prometheus;
  }
}
