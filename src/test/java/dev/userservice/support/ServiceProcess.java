package dev.userservice.support;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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

  /** Starts the jar with the given environment on top of a clean one (no DB_HOST unless given). */
  public static ServiceProcess start(Path workDir, Map<String, String> env, String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = System.getProperty("userservice.jar", Path.of("target", "user-service.jar").toAbsolutePath().toString());
    var command = new java.util.ArrayList<>(List.of(java, "-jar", jar));
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
