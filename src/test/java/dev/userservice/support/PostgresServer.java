package dev.userservice.support;

import dev.userservice.db.DbSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One real PostgreSQL server (Debian's binaries) on a data directory of its own, on 127.0.0.1:
 * made by initdb, or a directory someone else laid down (a restore). It runs as the postgres user
 * when the tests run as root, as PostgreSQL insists.
 */
public final class PostgresServer implements AutoCloseable {
  private final Path data;
  private final int port;
  private final Map<String, String> env;
  private Process process;

  private PostgresServer(Path data, int port, Map<String, String> env) {
    this.data = data;
    this.port = port;
    this.env = env;
  }

  /** A new cluster in {@code data} (which must not exist yet) with these lines added to postgresql.conf. */
  public static PostgresServer init(Path data, String settings, Map<String, String> env) {
    ownByPostgres(data.getParent());
    run(List.of(bin("initdb"), "-D", data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"), Map.of());
    return on(data, settings, env);
  }

  /** A data directory laid down by someone else (a restore); these lines are added to postgresql.auto.conf. */
  public static PostgresServer on(Path data, String settings, Map<String, String> env) {
    int port = Tools.freePort();
    append(data.resolve(data.resolve("recovery.signal").toFile().exists() ? "postgresql.auto.conf" : "postgresql.conf"),
        """

        listen_addresses = '127.0.0.1'
        port = %d
        unix_socket_directories = '%s'
        %s
        """.formatted(port, data.getParent(), settings));
    ownByPostgres(data.getParent());
    return new PostgresServer(data, port, env);
  }

  /** Starts the server and waits until it accepts connections (read-only ones, while it recovers). */
  public PostgresServer start() {
    startProcess();
    Await.untilOrFail("PostgreSQL on " + data + " accepts connections", () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("PostgreSQL on " + data + " exited:\n" + log());
      }
      return run(List.of(bin("pg_isready"), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres"),
          Map.of(), true).contains("accepting connections");
    }, Duration.ofSeconds(60));
    return this;
  }

  /** Starts the server without waiting: for one that is expected to refuse to start. */
  public Process startProcess() {
    try {
      var builder = new ProcessBuilder(asPostgres(bin("postgres"), "-D", data.toString()))
          .redirectErrorStream(true).redirectOutput(logFile().toFile());
      builder.environment().putAll(env);
      process = builder.start();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** After a restore: waits until recovery has reached its target and the server takes writes. */
  public PostgresServer awaitPromoted(Duration within) {
    Await.untilOrFail("PostgreSQL on " + data + " ends recovery and takes writes", () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("PostgreSQL on " + data + " exited during recovery:\n" + log());
      }
      try {
        return "f".equals(Sql.value(settings(), "SELECT pg_is_in_recovery()"));
      } catch (IllegalStateException notYet) {
        return false;
      }
    }, within);
    return this;
  }

  public DbSettings settings() {
    return new DbSettings("127.0.0.1", port, "postgres", "postgres", "");
  }

  public int port() {
    return port;
  }

  public Path data() {
    return data;
  }

  public String log() {
    try {
      return Files.exists(logFile()) ? Files.readString(logFile()) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL to the postmaster and every process it started: the machine lost power. */
  public void kill() {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The disk is gone: the server killed and its data directory deleted. */
  public void destroy() {
    kill();
    deleteTree(data);
  }

  @Override
  public void close() {
    kill();
  }

  private Path logFile() {
    return data.resolveSibling(data.getFileName() + ".log");
  }

  /** A program of Debian's PostgreSQL server package (the newest major installed). */
  public static String bin(String program) {
    return ReplicatedPostgres.binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries"))
        .resolve(program).toString();
  }

  /** Runs a command as the postgres user (when the tests run as root) with these variables. */
  public static Tools.Result runAsPostgres(Map<String, String> env, long timeoutSeconds, String... command) {
    return Tools.run(Path.of("."), timeoutSeconds, name -> false, env, asPostgres(command).toArray(String[]::new));
  }

  /** PostgreSQL refuses to run as root: as root, run it as the postgres user Debian's package made. */
  static List<String> asPostgres(String... command) {
    List<String> full = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(command));
    return full;
  }

  static void ownByPostgres(Path path) {
    if ("root".equals(System.getProperty("user.name"))) {
      run(List.of("chown", "-R", "postgres:postgres", path.toString()), Map.of(), false);
    }
  }

  private static String run(List<String> command, Map<String, String> env) {
    return run(asPostgres(command.toArray(String[]::new)), env, false);
  }

  static String run(List<String> command, Map<String, String> env, boolean mayFail) {
    Tools.Result result = Tools.run(Path.of("."), 120, name -> false, env, command.toArray(String[]::new));
    if (result.exitCode() != 0 && !mayFail) {
      throw new IllegalStateException(command + " exited " + result.exitCode() + ":\n" + result.output());
    }
    return result.output();
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(file, text, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path path) {
    if (Files.exists(path)) {
      try (Stream<Path> files = Files.walk(path)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
