package dev.userservice.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;

/** External programs the tests run (promtool, prometheus, locust...), and how to run them. */
public final class Tools {
  private Tools() {
  }

  /**
   * Skips the calling test when a tool is missing on a developer machine; in CI (which installs
   * them in .ci/run) a missing tool fails instead, so nothing is skipped unnoticed.
   */
  public static void require(String... tools) {
    for (String tool : tools) {
      boolean present = run(Path.of("."), 10, "sh", "-c", "command -v " + tool).exitCode() == 0;
      if (!present && System.getenv("CI") != null) {
        throw new AssertionError(tool + " is not installed, and CI must have it (see .ci/run)");
      }
      assumeTrue(present, tool + " is not installed (apt-get install it to run this test)");
    }
  }

  public record Result(int exitCode, String output) {
  }

  /** A port nothing listens on now, on 127.0.0.1, for a program a test starts. */
  public static int freePort() {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static Result run(Path directory, long timeoutSeconds, String... command) {
    return run(directory, timeoutSeconds, name -> false, Map.of(), command);
  }

  /** As {@link #run(Path, long, String...)}, the variables {@code unset} names removed and {@code env} added. */
  public static Result run(Path directory, long timeoutSeconds, Predicate<String> unset, Map<String, String> env,
      String... command) {
    try {
      var builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
      builder.environment().keySet().removeIf(unset);
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(List.of(command) + " did not finish in " + timeoutSeconds + " s");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
