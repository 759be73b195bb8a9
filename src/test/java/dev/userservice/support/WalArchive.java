package dev.userservice.support;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a PostgreSQL server's base backups and archived WAL go, and how a database is laid down
 * again from them: the bundled chart's backup volume, or an object store written by barman-cloud
 * (what CloudNativePG's Barman Cloud Plugin runs). Restores go through the chart's restore.sh.
 */
public interface WalArchive extends AutoCloseable {
  /** A name for figures and messages. */
  String name();

  /** PostgreSQL's archive_command (with %p and %f) that ships a finished WAL file here. */
  String archiveCommand();

  /** Variables the PostgreSQL server process needs for that command (none, or the store's credentials). */
  Map<String, String> serverEnv();

  /** Takes a base backup of the running server; the tool's exit code and output. */
  Tools.Result baseBackup(PostgresServer server);

  /** restore.sh into {@code data} to {@code target} ("latest" or a time with its zone). */
  Tools.Result restore(Path data, String target);

  /** What a restored server needs in its configuration to fetch WAL from here (written by restore.sh already). */
  default String restoredServerSettings() {
    return "archive_mode = off"; // a restore test never writes into the archive it reads
  }

  @Override
  void close();
}
