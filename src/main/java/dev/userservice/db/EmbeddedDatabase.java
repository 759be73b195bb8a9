package dev.userservice.db;

import dev.userservice.config.BuildInfo;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run from binaries shipped in a jar, for a service started with
 * no DB_HOST. Layout under the data folder:
 * <pre>
 *   data/pgdata    the cluster (survives restarts)
 *   data/runtime   the extracted binaries (kept out of the system temp folder)
 *   data/.lock     held while a service uses the folder
 * </pre>
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final FileLock lock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedDatabase(EmbeddedPostgres postgres, FileLock lock) {
    this.postgres = postgres;
    this.lock = lock;
  }

  public static EmbeddedDatabase start(Path dataDir) {
    FileLock lock = null;
    try {
      Files.createDirectories(dataDir);
      lock = lockFolder(dataDir);
      Path cluster = dataDir.resolve("pgdata");
      checkMajorVersion(cluster);
      stopOrphanedServer(cluster);
      Path runtime = Files.createDirectories(dataDir.resolve("runtime"));
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(cluster)
          .setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(runtime.toFile())
          .setPGStartupWait(Duration.ofSeconds(60))
          .setServerConfig("listen_addresses", "127.0.0.1")
          // The library turns these off for speed in tests; a service's data must survive a crash.
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("fsync", "on")
          .setServerConfig("full_page_writes", "on")
          .start();
      log.atInfo().addKeyValue("port", postgres.getPort()).addKeyValue("dataDir", cluster.toString())
          .log("embedded PostgreSQL started");
      return new EmbeddedDatabase(postgres, lock);
    } catch (IOException | RuntimeException e) {
      release(lock);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, io);
      }
      throw (RuntimeException) e;
    }
  }

  /** The embedded server trusts local connections as its superuser. */
  public DbSettings settings() {
    return new DbSettings("127.0.0.1", postgres.getPort(), "postgres", "postgres", "");
  }

  /** Stops the server and releases the folder; safe to call more than once. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("embedded PostgreSQL did not stop cleanly", e);
    }
    release(lock);
  }

  private static void release(FileLock lock) {
    if (lock == null) {
      return;
    }
    try {
      lock.channel().close(); // releases the lock too
    } catch (IOException e) {
      log.warn("could not release the data folder lock", e);
    }
  }

  /** Two services on one folder would corrupt it, and the second would kill the first's server. */
  private static FileLock lockFolder(Path dataDir) throws IOException {
    FileChannel channel = FileChannel.open(dataDir.resolve(".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameProcess) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(dataDir.toAbsolutePath()
          + " is in use by another running user-service; stop it or set DATA_DIR to another folder");
    }
    return lock;
  }

  /** A cluster written by another PostgreSQL major cannot be opened; say so plainly. */
  static void checkMajorVersion(Path cluster) throws IOException {
    Path versionFile = cluster.resolve("PG_VERSION");
    if (!Files.exists(versionFile)) {
      return;
    }
    String found = Files.readString(versionFile).trim();
    String expected = bundledMajorVersion();
    if (!found.equals(expected)) {
      throw new IllegalStateException(("%s holds a PostgreSQL %s database, but this build runs PostgreSQL %s. "
          + "Move the folder away (or dump it with PostgreSQL %s and restore it) to start afresh.")
          .formatted(cluster.toAbsolutePath(), found, expected, found));
    }
  }

  static String bundledMajorVersion() {
    String version = BuildInfo.get("embedded.postgres.version");
    return version.substring(0, version.indexOf('.'));
  }

  /**
   * A service killed with SIGKILL leaves its PostgreSQL running with the cluster open. We hold
   * the folder lock, so that server belongs to no live service: stop it before starting ours.
   */
  private static void stopOrphanedServer(Path cluster) throws IOException {
    Path pidFile = cluster.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
    } catch (RuntimeException e) {
      return; // unreadable: PostgreSQL itself decides whether the file is stale
    }
    ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false))
        .ifPresent(orphan -> {
          log.atWarn().addKeyValue("pid", pid).log("stopping a PostgreSQL left running by an earlier service");
          orphan.destroy(); // SIGTERM: a clean shutdown
          try {
            orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
          } catch (Exception e) {
            orphan.destroyForcibly();
          }
        });
  }
}
