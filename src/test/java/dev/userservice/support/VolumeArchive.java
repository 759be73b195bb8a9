package dev.userservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The bundled database's backups, run by the chart's own scripts (helm/user-service/files/backup):
 * archive-wal.sh as archive_command, base-backup.sh as the CronJob runs it, restore.sh as the
 * restore init container runs it, all against a folder that plays the backup volume.
 */
public final class VolumeArchive implements WalArchive {
  private static final Path SCRIPTS = Path.of("helm", "user-service", "files", "backup");
  private final Path scripts;
  private final Path volume;

  /** {@code work} must be readable by the postgres user (a folder under the system's temp folder). */
  public VolumeArchive(Path work) {
    this.scripts = copyChartScripts(work.resolve("scripts"));
    this.volume = work.resolve("backup-volume");
    try {
      Files.createDirectories(volume);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PostgresServer.ownByPostgres(work);
  }

  /** The chart's backup scripts, copied where the postgres user can run them (a checkout may be closed to it). */
  static Path copyChartScripts(Path into) {
    try {
      Files.createDirectories(into);
      try (Stream<Path> files = Files.list(SCRIPTS)) {
        for (Path script : files.toList()) {
          Files.copy(script, into.resolve(script.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          into.resolve(script.getFileName()).toFile().setExecutable(true, false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PostgresServer.ownByPostgres(into);
    return into;
  }

  public Path volume() {
    return volume;
  }

  @Override
  public String name() {
    return "backup volume (archive-wal.sh, base-backup.sh)";
  }

  @Override
  public String archiveCommand() {
    return scripts.resolve("archive-wal.sh") + " %p %f";
  }

  @Override
  public Map<String, String> serverEnv() {
    return Map.of("BACKUP_DIR", volume.toString());
  }

  @Override
  public Tools.Result baseBackup(PostgresServer server) {
    return PostgresServer.runAsPostgres(Map.of("BACKUP_DIR", volume.toString(), "PGHOST", "127.0.0.1",
            "PGPORT", Integer.toString(server.port()), "PGUSER", "postgres", "BACKUP_DUMPALL", "true",
            "PATH", binPath()),
        600, scripts.resolve("base-backup.sh").toString());
  }

  @Override
  public Tools.Result restore(Path data, String target) {
    return PostgresServer.runAsPostgres(Map.of("BACKUP_DIR", volume.toString(), "PATH", binPath()), 600,
        scripts.resolve("restore.sh").toString(), data.toString(), target);
  }

  /** Debian's server programs (pg_basebackup, pg_archivecleanup) first, as on the postgres image's PATH. */
  static String binPath() {
    return Path.of(PostgresServer.bin("postgres")).getParent() + ":" + System.getenv("PATH");
  }

  @Override
  public void close() {
    PostgresServer.deleteTree(volume);
  }
}
