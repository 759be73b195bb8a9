package dev.userservice.support;

import dev.userservice.db.DbSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The packaged service as a user runs it: {@code java -jar target/user-service.jar} in its own
 * process, in a working folder of the test's choosing, on 127.0.0.1 and a free port.
 */
public final class ServiceProcess implements AutoCloseable {
  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final long startedNanos = System.nanoTime();

  private ServiceProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(output::add);
      } catch (IOException | UncheckedIOException ignored) {
        // the process is gone
      }
    }, "service-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * The JVM flags of the Dockerfile's ENTRYPOINT (read from it, so they cannot drift), in a
   * container with the chart's default memory limit: what a test of memory or speed runs with.
   */
  public static final List<String> CONTAINER_JVM = containerJvmFlags();

  private static List<String> containerJvmFlags() {
    try {
      String dockerfile = Files.readString(Path.of("Dockerfile"));
      var entrypoint = Pattern.compile("(?m)^ENTRYPOINT\\s+(\\[.*\\])\\s*$").matcher(dockerfile);
      String last = null;
      while (entrypoint.find()) {
        last = entrypoint.group(1);
      }
      var flags = new ArrayList<String>();
      for (Object arg : new JsonArray(last)) {
        String flag = arg.toString();
        if (flag.startsWith("-XX:") && !flag.startsWith("-XX:AOTCache")) { // the cache exists only in the image
          flags.add(flag);
        }
      }
      flags.add("-XX:MaxRAM=384m"); // the chart's default memory limit
      return List.copyOf(flags);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh working folder under target/it for one process. */
  public static Path workDir(String name) {
    try {
      return Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The variables that point the service at a database, plus more as name, value pairs. */
  public static Map<String, String> env(DbSettings db, String... more) {
    var env = new HashMap<>(Map.of("DB_HOST", db.host(), "DB_PORT", Integer.toString(db.port()),
        "DB_NAME", db.database(), "DB_USER", db.user(), "DB_PASSWORD", db.password()));
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  /** Starts the jar with the given environment on top of a clean one (no DB_HOST unless given). */
  public static ServiceProcess start(Path workDir, Map<String, String> env, String... args) {
    return start(workDir, env, List.of(), args);
  }

  /** As {@link #start(Path, Map, String...)}, with JVM options before {@code -jar}. */
  public static ServiceProcess start(Path workDir, Map<String, String> env, List<String> jvmOptions, String... args) {
    String jar = System.getProperty("userservice.jar", Path.of("target", "user-service.jar").toAbsolutePath().toString());
    return startJar(Path.of(jar), workDir, env, jvmOptions, args);
  }

  /** As {@link #start(Path, Map, List, String...)}, with another jar: an earlier release's (scripts/build-release.sh). */
  public static ServiceProcess startJar(Path jar, Path workDir, Map<String, String> env, List<String> jvmOptions,
      String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    var command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    var builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("DB_") || name.equals("PORT"));
    builder.environment().put("PORT", "0");
    builder.environment().put("BIND_ADDRESS", "127.0.0.1");
    builder.environment().putAll(env);
    try {
      return new ServiceProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the "listening" log line and returns the port it names. */
  public int awaitListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        if (line.contains("\"user-service listening\"")) {
          return new JsonObject(line).getInteger("port");
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("service exited with " + process.exitValue() + ":\n" + String.join("\n", output));
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("service did not start in " + timeout + ":\n" + String.join("\n", output));
  }

  public ApiClient awaitApi() throws InterruptedException {
    return new ApiClient("http://127.0.0.1:" + awaitListening(Duration.ofSeconds(90)));
  }

  public Duration sinceStart() {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** SIGTERM, as Kubernetes sends it. */
  public void terminate() {
    process.destroy();
  }

  /** SIGKILL: no shutdown hook, no drain, as when a node dies or the OOM killer strikes. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Resident memory now and at its peak (VmRSS, VmHWM from /proc), in MiB. */
  public record Memory(long rssMib, long peakRssMib) {
  }

  public Memory memory() {
    try {
      long rss = 0;
      long peak = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kib(line) / 1024;
        } else if (line.startsWith("VmHWM:")) {
          peak = kib(line) / 1024;
        }
      }
      return new Memory(rss, peak);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** CPU time the process has used so far (user + system, from /proc), in milliseconds. */
  public long cpuMillis() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // The fields after the command name, which is in parentheses and may hold spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
      return ticks * 10; // USER_HZ is 100 on Linux
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long kib(String statusLine) {
    return Long.parseLong(statusLine.replaceAll("[^0-9]", ""));
  }

  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("service still running after " + timeout);
    }
    return process.exitValue();
  }

  public long pid() {
    return process.pid();
  }

  public List<String> output() {
    return output;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
