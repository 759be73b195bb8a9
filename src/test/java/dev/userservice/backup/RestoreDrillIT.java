package dev.userservice.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.backup.BackupDrill.Mark;
import dev.userservice.backup.BackupDrill.Restored;
import dev.userservice.support.ApiClient;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.ObjectStoreArchive;
import dev.userservice.support.PostgresServer;
import dev.userservice.support.Response;
import dev.userservice.support.Sql;
import dev.userservice.support.Tools;
import dev.userservice.support.VolumeArchive;
import dev.userservice.support.WalArchive;
import dev.userservice.support.WriteLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The restore drill, with real PostgreSQL processes, the service's jar and the archive each mode
 * uses: the chart's own scripts on a backup volume (bundled), and barman-cloud on an S3-compatible
 * store (what CloudNativePG's Barman Cloud Plugin runs). A base backup; the mixed load with a
 * ledger; a mark; more writes, some to rows from before the mark; the data directory destroyed.
 * Then a restore to the mark must hold exactly the mark's table, and a restore to the latest point
 * every acknowledged write. Both restores go into new directories, never over a database.
 *
 * <p>{@code -Dbackup.users=1000000} gives the figures at a million users (scripts/backup-figures.sh).
 */
class RestoreDrillIT {
  private static final int USERS = Integer.getInteger("backup.users", 20_000);
  private static final Duration LOAD = Duration.ofSeconds(Integer.getInteger("backup.loadSeconds", 6));

  @Test
  @Timeout(900)
  void theBackupVolumeRestoresToTheMarkAndToTheLatestPoint() throws Exception {
    Path work = BackupDrill.workDir("volume");
    drill(work, new VolumeArchive(work), archive -> BackupDrill.bytesUnder(((VolumeArchive) archive).volume().resolve("base")));
  }

  @Test
  @Timeout(900)
  void theObjectStoreRestoresToTheMarkAndToTheLatestPoint() throws Exception {
    Tools.require("barman-cloud-backup", ObjectStoreArchive.s3rverCommand());
    Path work = BackupDrill.workDir("s3");
    // s3rver keeps each object as a file under <bucket>/<key>: the base backups are under <path>/<server>/base.
    drill(work, new ObjectStoreArchive(work, "user-service-pg"),
        archive -> BackupDrill.bytesUnder(work.resolve("s3/backups/user-service-pg/user-service-pg/base")));
  }

  private static void drill(Path work, WalArchive archive, Function<WalArchive, Long> backupBytes) throws Exception {
    try (BackupDrill drill = new BackupDrill(work, archive, "drill-")) {
      drill.bulkUsers(USERS);
      long backupMillis = drill.baseBackup();
      long backupSize = backupBytes.apply(archive);
      ApiClient api = drill.startService();

      List<MixedLoad.Sample> before = drill.load(LOAD, 6);
      BackupDrill.ArchiveLag lag = drill.lastLoadsArchiveLag();
      Mark mark = drill.mark();
      int edited = drill.editRowsFromBefore(mark, 40);
      List<MixedLoad.Sample> after = drill.load(LOAD, 6);
      assertThat(mark.ledger().acknowledgedWrites()).as("writes before the mark").isPositive();
      assertThat(drill.ledger.acknowledgedWrites()).as("writes after the mark").isGreaterThan(mark.ledger().acknowledgedWrites() + edited);
      long archiveWaitMillis = drill.awaitArchived(Duration.ofSeconds(60));
      String latest = BackupDrill.checksum(drill.primary.settings());
      assertThat(latest).isNotEqualTo(mark.checksum());

      drill.destroyPrimary();

      try (Restored toMark = drill.restore("restored-to-mark", mark.time())) {
        assertThat(BackupDrill.checksum(toMark.server().settings())).as("the table at the mark " + mark.time())
            .isEqualTo(mark.checksum());
        BackupDrill.assertHolds(mark.ledger(), toMark.server().settings(), "restored to the mark");
        try (Restored toLatest = drill.restore("restored-to-latest", "latest")) {
          assertThat(BackupDrill.checksum(toLatest.server().settings())).as("the table at the latest point").isEqualTo(latest);
          BackupDrill.assertHolds(drill.ledger, toLatest.server().settings(), "restored to the latest point");
          refusesWhatItCannotDo(drill, toLatest, mark);
          System.out.printf("restore drill, %s, %d users: base backup %d ms, %.1f MB; %d requests before the mark, %d after "
                  + "(%d edits of rows from before it); archive lag under the load at most %.1f MB, %.1f s since a file "
                  + "was archived; archive caught up %d ms after the last write; restore to the mark "
                  + "%d ms (%d laying down, %d replaying), to the latest point %d ms; acknowledged writes %d, lost 0%n",
              archive.name(), USERS, backupMillis, backupSize / 1e6, before.size(), after.size(), edited,
              lag.maxMegabytes(), lag.maxSeconds(), archiveWaitMillis,
              toMark.totalMillis(), toMark.layDownMillis(), toMark.replayMillis(), toLatest.totalMillis(),
              drill.ledger.acknowledgedWrites());
        }
      }
    }
  }

  /**
   * What a restore must refuse, before it touches anything: a time before the first base backup,
   * a time without its zone, a directory a running server uses (here the restored one, serving);
   * and a time after the end of the archive (refused by restore.sh on a volume, by PostgreSQL on
   * an object store, whose WAL times restore.sh cannot see), with nothing overwritten.
   */
  private static void refusesWhatItCannotDo(BackupDrill drill, Restored running, Mark mark) {
    String before = BackupDrill.checksum(running.server().settings());
    Tools.Result early = drill.archive.restore(drill.work.resolve("too-early"), "2001-01-01 00:00:00+00");
    assertThat(early.exitCode()).as(early.output()).isEqualTo(2);
    assertThat(early.output()).contains("no base backup finished before 2001-01-01 00:00:00+00: the first finished at");
    assertThat(drill.work.resolve("too-early")).doesNotExist();

    Tools.Result noZone = drill.archive.restore(drill.work.resolve("no-zone"), mark.time().replace("+00", ""));
    assertThat(noZone.exitCode()).as(noZone.output()).isEqualTo(2);
    assertThat(noZone.output()).contains("has no time zone");

    Tools.Result inUse = drill.archive.restore(running.server().data(), mark.time());
    assertThat(inUse.exitCode()).as(inUse.output()).isEqualTo(3);
    assertThat(inUse.output()).contains("a PostgreSQL server is running on " + running.server().data());
    assertThat(BackupDrill.checksum(running.server().settings())).as("the running database, untouched").isEqualTo(before);

    String late = Sql.value(running.server().settings(),
        "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC' - interval '1 second', 'YYYY-MM-DD HH24:MI:SS') || '+00'");
    Path lateDir = drill.work.resolve("too-late");
    Tools.Result tooLate = drill.archive.restore(lateDir, late);
    if (drill.archive instanceof VolumeArchive) {
      assertThat(tooLate.exitCode()).as(tooLate.output()).isEqualTo(2);
      assertThat(tooLate.output()).contains("the WAL archive ends at", "is after it; restore to latest");
      assertThat(lateDir).doesNotExist();
    } else {
      assertThat(tooLate.exitCode()).as(tooLate.output()).isZero();
      try (PostgresServer server = PostgresServer.on(lateDir, drill.archive.restoredServerSettings(), drill.archive.serverEnv())) {
        Process process = server.startProcess();
        dev.userservice.support.Await.untilOrFail("PostgreSQL refuses a target past the archive", () -> !process.isAlive(),
            Duration.ofMinutes(5));
        assertThat(process.exitValue()).isNotZero();
        assertThat(server.log()).contains("recovery ended before configured recovery target was reached");
      }
    }
    assertThat(BackupDrill.checksum(running.server().settings())).as("the running database, untouched").isEqualTo(before);
  }

  /**
   * An administrator deletes every profile through the API (API 1.2 lets one); a restore to just
   * before the first delete brings every profile back, exactly as it was.
   */
  @Test
  @Timeout(600)
  void aRestoreToJustBeforeAnAdministratorDeletedEveryProfileBringsThemAllBack() throws Exception {
    try (BackupDrill drill = backedUpVolumeDrill("mass-delete")) {
      ApiClient api = drill.startService();
      drill.load(Duration.ofSeconds(4), 4);
      Mark beforeDeletes = drill.mark();
      List<String> ids = Sql.rows(drill.primary.settings(), "SELECT id::text FROM \"user\" ORDER BY id").stream()
          .map(List::getFirst).toList();
      for (String id : ids) {
        Response deleted = api.delete("/user/" + id);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
      }
      assertThat(Sql.value(drill.primary.settings(), "SELECT count(*) FROM \"user\"")).isEqualTo("0");
      drill.awaitArchived(Duration.ofSeconds(60));
      drill.destroyPrimary();

      try (Restored restored = drill.restore("restored", beforeDeletes.time())) {
        assertThat(BackupDrill.checksum(restored.server().settings())).isEqualTo(beforeDeletes.checksum());
        BackupDrill.assertHolds(beforeDeletes.ledger(), restored.server().settings(), "restored to before the deletes");
        System.out.printf("mass delete: %d profiles deleted through the API, all back after a restore to %s in %d ms%n",
            ids.size(), beforeDeletes.time(), restored.totalMillis());
      }
    }
  }

  /**
   * The RPO: the disk lost while the load runs, then a restore to the latest point. What is lost
   * is at most what was written since the last archived WAL file, so every lost write must have
   * been acknowledged within archive_timeout (and the archiver's copy) before the loss.
   */
  @Test
  @Timeout(600)
  void losingTheDiskUnderLoadLosesAtMostTheWritesOfTheLastArchiveTimeout() throws Exception {
    try (BackupDrill drill = backedUpVolumeDrill("rpo")) {
      ApiClient api = drill.startService();
      MixedLoad load = MixedLoad.start(api, drill.ledger, 6, Duration.ofMillis(5));
      Thread.sleep(Duration.ofSeconds(BackupDrill.ARCHIVE_TIMEOUT_SECONDS * 3L));
      Map<String, String> archiver = BackupDrill.archiverState(drill.primary.settings());
      long lost = System.nanoTime();
      drill.primary.destroy(); // under the load: the service answers 503 from here on
      load.stop();
      drill.stopService();

      try (Restored restored = drill.restore("restored", "latest")) {
        WriteLedger.Verdict verdict = drill.ledger.verify(restored.server().settings());
        long windowNanos = Duration.ofSeconds(BackupDrill.ARCHIVE_TIMEOUT_SECONDS + 2).toNanos();
        List<Long> agesMillis = verdict.violatingUsers().stream()
            .map(user -> drill.ledger.acknowledgedAtNanos(user).map(at -> (lost - at) / 1_000_000).orElse(-1L))
            .sorted().toList();
        System.out.printf("RPO drill: %d writes acknowledged, %d lost with the disk (acknowledged %s ms before the loss); "
                + "archiver at the loss: %s%n", drill.ledger.acknowledgedWrites(), agesMillis.size(),
            agesMillis.isEmpty() ? "-" : agesMillis.getFirst() + ".." + agesMillis.getLast(), archiver);
        assertThat(verdict.violatingUsers()).as("lost writes are only recent ones: %s", verdict.violations())
            .allSatisfy(user -> assertThat(drill.ledger.acknowledgedAtNanos(user)).as(user)
                .hasValueSatisfying(at -> assertThat(lost - at).isLessThan(windowNanos)));
        assertThat(verdict.acknowledgedRows()).isGreaterThan(verdict.violatingUsers().size());
      }
    }
  }

  /** A drill on the backup volume with 2,000 users and a base backup taken. */
  private static BackupDrill backedUpVolumeDrill(String name) throws Exception {
    Path work = BackupDrill.workDir(name);
    BackupDrill drill = new BackupDrill(work, new VolumeArchive(work), name + "-");
    try {
      drill.bulkUsers(2_000);
      drill.baseBackup();
      return drill;
    } catch (RuntimeException | Error e) {
      drill.close();
      throw e;
    }
  }
}
