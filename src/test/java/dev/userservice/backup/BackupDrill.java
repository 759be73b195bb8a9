package dev.userservice.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.db.Migrations;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.PostgresServer;
import dev.userservice.support.Response;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.Sql;
import dev.userservice.support.Tools;
import dev.userservice.support.WalArchive;
import dev.userservice.support.WriteLedger;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * One restore drill's parts: a real PostgreSQL primary that archives its WAL into a {@link
 * WalArchive}, the service's jar in front of it, a mixed load whose every acknowledged write goes
 * into a ledger, and the restores, each into a new directory and checked row by row.
 */
final class BackupDrill implements AutoCloseable {
  /** archive_timeout in the drills: short, so a quiet database's last writes leave within seconds. */
  static final int ARCHIVE_TIMEOUT_SECONDS = 5;

  /** A moment to restore to: when, where in the WAL, the table as it was, and the ledger's state. */
  record Mark(String time, String lsn, String checksum, WriteLedger ledger) {
  }

  /** A restored database, and how long the restore took: laying it down, then replaying WAL. */
  record Restored(PostgresServer server, long layDownMillis, long replayMillis) implements AutoCloseable {
    long totalMillis() {
      return layDownMillis + replayMillis;
    }

    @Override
    public void close() {
      server.close();
    }
  }

  final Path work;
  final WalArchive archive;
  final PostgresServer primary;
  final WriteLedger ledger;
  private ServiceProcess service;
  private ApiClient api;

  BackupDrill(Path work, WalArchive archive, String ledgerPrefix) {
    this.work = work;
    this.archive = archive;
    this.ledger = new WriteLedger(ledgerPrefix);
    this.primary = PostgresServer.init(work.resolve("primary"), """
        wal_level = replica
        max_wal_senders = 4
        archive_mode = on
        archive_command = '%s'
        archive_timeout = %d
        """.formatted(archive.archiveCommand().replace("'", "''"), ARCHIVE_TIMEOUT_SECONDS), archive.serverEnv()).start();
    Migrations.migrate(primary.settings(), 0);
  }

  /** A work folder the postgres user can reach (under the system's temp folder, not the checkout). */
  static Path workDir(String name) throws java.io.IOException {
    return Files.createTempDirectory("user-service-backup-" + name + "-");
  }

  /** Users straight into the table, set-based (as the benchmark loads them): a million creates through the API take too long. */
  void bulkUsers(int users) {
    Sql.execute(primary.settings(), """
        INSERT INTO "user" (username, first_name, last_name, email, phone)
        SELECT 'bulk-' || g, 'Bulk', 'User', 'bulk' || g || '@example.com', '+1 555 0100'
        FROM generate_series(1, %d) g""".formatted(users));
    Sql.execute(primary.settings(), "VACUUM ANALYZE \"user\"");
  }

  /** A base backup now; its duration in milliseconds. */
  long baseBackup() {
    long started = System.nanoTime();
    Tools.Result result = archive.baseBackup(primary);
    assertThat(result.exitCode()).as("base backup to the %s:%n%s", archive.name(), result.output()).isZero();
    return (System.nanoTime() - started) / 1_000_000;
  }

  ApiClient startService() throws InterruptedException {
    service = ServiceProcess.start(ServiceProcess.workDir("backup-drill"),
        ServiceProcess.env(primary.settings(), "REQUEST_LOG", "off", "SHUTDOWN_DRAIN_MS", "0",
            "REQUEST_TIMEOUT_MS", "2000", "DB_CONNECT_TIMEOUT_MS", "500", "DB_POOL_WAIT_MS", "1000"));
    api = service.awaitApi();
    return api;
  }

  void stopService() {
    if (service != null) {
      service.close();
      service = null;
    }
  }

  /** How far the archive trailed the primary while a load ran: the most WAL not yet archived, and the longest since a file was. */
  record ArchiveLag(double maxMegabytes, double maxSeconds) {
  }

  private volatile ArchiveLag lag = new ArchiveLag(0, 0);

  ArchiveLag lastLoadsArchiveLag() {
    return lag;
  }

  /**
   * The mixed load for {@code duration}: keyed creates, updates, reads, deletes; every request
   * answered before it returns. Meanwhile the archive's lag is sampled twice a second.
   */
  List<MixedLoad.Sample> load(Duration duration, int clients) throws InterruptedException {
    MixedLoad load = MixedLoad.start(api, ledger, clients, Duration.ofMillis(5));
    var sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread sampler = Thread.ofVirtual().start(() -> {
      double bytes = 0;
      double seconds = 0;
      while (sampling.get()) {
        List<String> row = Sql.rows(primary.settings(), ARCHIVE_LAG).stream().findFirst().orElse(List.of("0", "0"));
        bytes = Math.max(bytes, Double.parseDouble(row.get(0)));
        seconds = Math.max(seconds, Double.parseDouble(row.get(1)));
        lag = new ArchiveLag(bytes / 1e6, seconds);
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    List<MixedLoad.Sample> samples = load.stopAfter(duration);
    sampling.set(false);
    sampler.join();
    assertThat(load.settlePendingCreates(api, Duration.ofSeconds(20))).as("creates left unknown").isZero();
    return samples;
  }

  /** WAL written since the end of the last archived segment (16 MB segments), and seconds since a file was archived. */
  private static final String ARCHIVE_LAG = """
      SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')
               - (('x' || substr(w, 9, 8))::bit(32)::bigint * 4294967296
                  + (('x' || substr(w, 17, 8))::bit(32)::bigint + 1) * 16777216),
             extract(epoch FROM now() - t)
      FROM (SELECT last_archived_wal w, last_archived_time t FROM pg_stat_archiver) a
      WHERE w ~ '^[0-9A-F]{24}'""";

  /** Marks this moment, with nothing in flight: the time (with its zone), the WAL position, the table and the ledger. */
  Mark mark() {
    List<String> row = Sql.rows(primary.settings(), """
        SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00', pg_current_wal_lsn()::text
        """).getFirst();
    return new Mark(row.get(0), row.get(1), checksum(primary.settings()), ledger.snapshot());
  }

  /**
   * Writes after the mark to rows from before it, as a careful client does: the version read with
   * GET, then a PUT or DELETE with If-Match. A restore to the mark must undo each of them.
   */
  int editRowsFromBefore(Mark mark, int count) {
    Random random = new Random(7);
    int edited = 0;
    for (WriteLedger.Live live : mark.ledger().live().subList(0, Math.min(count, mark.ledger().live().size()))) {
      Response read = api.get("/user/" + live.id());
      assertThat(read.status()).as(read.toString()).isEqualTo(200);
      String etag = read.headers().firstValue("ETag").orElseThrow();
      if (random.nextInt(3) == 0) {
        Response deleted = api.request("DELETE", "/user/" + live.id(), null, "If-Match", etag);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        ledger.acknowledged(live.username(), Optional.empty());
      } else {
        var row = new WriteLedger.Row(live.username(), "After", "Mark", null, "+1 555 0199");
        String body = new JsonObject().put("username", row.username()).put("firstName", row.firstName())
            .put("lastName", row.lastName()).put("phone", row.phone()).encode();
        Response updated = api.request("PUT", "/user/" + live.id(), body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "content-type", ApiClient.JSON, "If-Match", etag);
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        ledger.acknowledged(live.username(), Optional.of(row));
      }
      edited++;
    }
    return edited;
  }

  /**
   * Waits until the archive holds every WAL written so far: archive_timeout closes the segment in
   * use, and the archiver ships it. Returns how long that took.
   */
  long awaitArchived(Duration within) {
    String lastWritten = Sql.value(primary.settings(), "SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
    long started = System.nanoTime();
    Await.untilOrFail("WAL file " + lastWritten + " archived", () -> {
      String archived = Sql.value(primary.settings(), "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver");
      return archived.compareTo(lastWritten) >= 0;
    }, within);
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** The disk is gone: the server SIGKILLed and its data directory deleted. */
  void destroyPrimary() {
    stopService();
    primary.destroy();
    assertThat(primary.data()).doesNotExist();
  }

  /** restore.sh into a new directory, then PostgreSQL started on it until it has replayed to the target and takes writes. */
  Restored restore(String name, String target) {
    Path data = work.resolve(name);
    long started = System.nanoTime();
    Tools.Result result = archive.restore(data, target);
    assertThat(result.exitCode()).as("restore.sh to %s:%n%s", target, result.output()).isZero();
    long laidDown = System.nanoTime();
    PostgresServer server = PostgresServer.on(data, archive.restoredServerSettings(), archive.serverEnv()).start()
        .awaitPromoted(Duration.ofMinutes(10));
    return new Restored(server, (laidDown - started) / 1_000_000, (System.nanoTime() - laidDown) / 1_000_000);
  }

  /** The whole table, row by row, as one digest: two databases with the same digest hold the same users. */
  static String checksum(DbSettings db) {
    return Sql.value(db, "SELECT count(*) || ' users, md5 ' || coalesce(md5(string_agg(u::text, ',' ORDER BY id)), '-') FROM \"user\" u");
  }

  static void assertHolds(WriteLedger ledger, DbSettings db, String what) {
    WriteLedger.Verdict verdict = ledger.verify(db);
    assertThat(verdict.violations()).as("%s: every acknowledged write with its acknowledged state, nothing else (%d users)",
        what, verdict.users()).isEmpty();
    assertThat(verdict.acknowledgedRows()).as(what + ": users checked").isPositive();
  }

  /** Bytes in the archive (a folder on disk: the backup volume or the object store's files). */
  static long bytesUnder(Path folder) {
    try (var files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Map<String, String> archiverState(DbSettings db) {
    List<String> row = Sql.rows(db, """
        SELECT archived_count::text, failed_count::text, coalesce(last_archived_wal, ''), coalesce(last_failed_wal, '')
        FROM pg_stat_archiver""").getFirst();
    return Map.of("archived", row.get(0), "failed", row.get(1), "lastArchived", row.get(2), "lastFailed", row.get(3));
  }

  @Override
  public void close() {
    stopService();
    primary.close();
    archive.close();
    // Files of the postgres user's, removed as the test's own user (root here, or their owner).
    Tools.run(Path.of("."), 60, "rm", "-rf", work.toString());
  }
}
