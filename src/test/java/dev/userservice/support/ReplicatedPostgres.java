package dev.userservice.support;

import dev.userservice.db.DbSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What CloudNativePG runs, in miniature and with real processes: a primary and a standby that
 * streams from it (set up with {@code pg_basebackup -R}), with synchronous or asynchronous
 * commits, Debian's PostgreSQL binaries, all on 127.0.0.1. The standby reaches the primary through
 * a port the caller gives (a {@link TcpForwarder}, so the replication link can be cut).
 */
public final class ReplicatedPostgres implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final int primaryPort;
  private final int standbyPort;
  private final List<Process> servers = new ArrayList<>();
  private final boolean synchronous;

  public ReplicatedPostgres(Path dir, boolean synchronous) {
    this.synchronous = synchronous;
    this.bin = binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries"));
    this.dir = dir;
    this.primaryPort = Tools.freePort();
    this.standbyPort = Tools.freePort();
    try {
      deleteTree(dir);
      Files.createDirectories(dir);
      ownByPostgres(dir);
      run(asPostgres(bin.resolve("initdb").toString(), "-D", primary().toString(), "-U", "postgres",
          "--auth=trust", "-E", "UTF8", "--no-sync"));
      Files.writeString(primary().resolve("postgresql.conf"), """

          listen_addresses = '127.0.0.1'
          port = %d
          unix_socket_directories = '%s'
          wal_level = replica
          max_wal_senders = 5
          wal_keep_size = '256MB'
          synchronous_commit = on
          """.formatted(primaryPort, dir), java.nio.file.StandardOpenOption.APPEND);
      start(primary());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Debian's PostgreSQL server binaries (package postgresql), the newest major installed. */
  public static Optional<Path> binaries() {
    try (Stream<Path> majors = Files.list(Path.of("/usr/lib/postgresql"))) {
      return majors.map(major -> major.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparing(Path::toString));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public DbSettings primarySettings() {
    return new DbSettings("127.0.0.1", primaryPort, "postgres", "postgres", "");
  }

  public DbSettings standbySettings() {
    return new DbSettings("127.0.0.1", standbyPort, "postgres", "postgres", "");
  }

  public int primaryPort() {
    return primaryPort;
  }

  public int standbyPort() {
    return standbyPort;
  }

  /** Copies the primary with pg_basebackup -R and starts the copy as a standby that streams from {@code via}. */
  public void startStandby(int via) {
    try {
      run(asPostgres(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", Integer.toString(primaryPort),
          "-U", "postgres", "-D", standby().toString(), "-R", "-X", "stream", "-c", "fast"));
      Files.writeString(standby().resolve("postgresql.conf"), "\nport = %d\n".formatted(standbyPort),
          java.nio.file.StandardOpenOption.APPEND);
      // Later lines win: stream through the given port, under a name the primary lists.
      Files.writeString(standby().resolve("postgresql.auto.conf"),
          "\nprimary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=standby'\n".formatted(via),
          java.nio.file.StandardOpenOption.APPEND);
      start(standby());
      if (synchronous) {
        // Only now: with a synchronous standby named before one exists, every commit would wait.
        Sql.execute(primarySettings(), "ALTER SYSTEM SET synchronous_standby_names = '*'");
        Sql.rows(primarySettings(), "SELECT pg_reload_conf()");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The primary's view of its standby: "sync" or "async", once it streams. */
  public String replicationState() {
    var rows = Sql.rows(primarySettings(), "SELECT sync_state FROM pg_stat_replication WHERE state = 'streaming'");
    return rows.isEmpty() ? "none" : rows.getFirst().getFirst();
  }

  /** SIGKILL to the primary's postmaster and every process it started, at once: the node is gone. */
  public void killPrimary() {
    try {
      String postmaster = Files.readAllLines(primary().resolve("postmaster.pid")).getFirst().trim();
      List<String> pids = new ArrayList<>(List.of(postmaster));
      pids.addAll(run(List.of("ps", "-o", "pid=", "--ppid", postmaster)).lines().map(String::trim)
          .filter(s -> !s.isEmpty()).toList());
      List<String> kill = new ArrayList<>(List.of("kill", "-9"));
      kill.addAll(pids);
      run(kill);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** pg_ctl promote, waiting until the standby takes writes. */
  public void promoteStandby() {
    run(asPostgres(bin.resolve("pg_ctl").toString(), "promote", "-w", "-D", standby().toString()));
  }

  @Override
  public void close() {
    for (Process server : servers) {
      server.descendants().forEach(ProcessHandle::destroyForcibly);
      server.destroyForcibly();
    }
    for (Path data : List.of(primary(), standby())) {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        try {
          run(List.of("kill", "-9", Files.readAllLines(data.resolve("postmaster.pid")).getFirst().trim()));
        } catch (IOException | RuntimeException ignored) {
          // already gone
        }
      }
    }
    try {
      deleteTree(dir);
    } catch (UncheckedIOException e) {
      // a temp folder left behind is no failure of the test
    }
  }

  private Path primary() {
    return dir.resolve("primary");
  }

  private Path standby() {
    return dir.resolve("standby");
  }

  private void start(Path data) throws IOException {
    Path log = dir.resolve(data.getFileName() + ".log");
    ownByPostgres(dir);
    var process = new ProcessBuilder(asPostgres(bin.resolve("postgres").toString(), "-D", data.toString()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    servers.add(process);
    int port = data.equals(primary()) ? primaryPort : standbyPort;
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (run(List.of(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
          "-U", "postgres"), true)
          .contains("accepting connections")) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException(data.getFileName() + " did not start:\n" + Files.readString(log));
  }

  private static List<String> asPostgres(String... command) {
    return PostgresServer.asPostgres(command);
  }

  private static void ownByPostgres(Path path) {
    PostgresServer.ownByPostgres(path);
  }

  private static String run(List<String> command) {
    return PostgresServer.run(command, java.util.Map.of(), false);
  }

  private static String run(List<String> command, boolean mayFail) {
    return PostgresServer.run(command, java.util.Map.of(), mayFail);
  }

  private static void deleteTree(Path path) {
    PostgresServer.deleteTree(path);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
