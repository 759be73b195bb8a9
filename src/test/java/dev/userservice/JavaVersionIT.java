package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.userservice.support.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The first ten minutes on a machine whose default java is older than 25: the jar, run.sh and
 * the build's own check each say in one line what is wrong and how to fix it, and with a JDK 25
 * installed beside the old one, run.sh finds it.
 */
class JavaVersionIT {
  private static final Path JAR = Path.of(System.getProperty("userservice.jar", "target/user-service.jar"));

  @Test
  void theJarOnJava17SaysItNeeds25InOneLine() throws IOException {
    Path java17 = oldJdk().orElse(null);
    assumeTrue(java17 != null, "no JDK 17 installed");
    Tools.Result run = run(List.of(java17.resolve("bin/java").toString(), "-jar", JAR.toString()), Map.of());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output().strip().lines()).as(run.output()).hasSize(1);
    assertThat(run.output()).contains("user-service needs Java 25 or later, but this is Java 17 at " + java17)
        .contains("apt install openjdk-25-jdk-headless").doesNotContain("Exception", "\tat ");
  }

  @Test
  void runShFindsAJdk25BesideAnOlderJavaOnThePath() throws IOException {
    Path java17 = oldJdk().orElse(null);
    assumeTrue(java17 != null, "no JDK 17 installed");
    // "usage" is Main's answer to an unknown command: Main ran, so a JDK 25 ran it.
    Tools.Result run = run(List.of("./run.sh", "no-such-command"), Map.of("PATH", java17.resolve("bin") + ":/usr/bin:/bin"));
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("usage: java -jar user-service.jar");
  }

  @Test
  void runShWithNoJdk25SaysWhatToInstall() throws IOException {
    Path empty = Files.createTempDirectory("no-jdks");
    Path java17 = oldJdk().orElse(null);
    String path = (java17 == null ? "" : java17.resolve("bin") + ":") + "/usr/bin:/bin";
    Tools.Result run = run(List.of("./run.sh"), Map.of("PATH", path, "USER_SERVICE_JDK_DIRS", empty.toString()));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.output().strip().lines()).as(run.output()).hasSize(1);
    assertThat(run.output()).contains("needs Java 25", "apt install openjdk-25-jdk-headless");
  }

  @Test
  void theBuildsCheckNamesTheJdkItRunsOnAndWhatToInstall() throws IOException {
    Path java17 = oldJdk().orElse(null);
    assumeTrue(java17 != null, "no JDK 17 installed");
    Path empty = Files.createTempDirectory("no-jdks");
    List<String> check = List.of(java17.resolve("bin/java").toString(), ".mvn/RequireJdk.java", "25");
    Tools.Result none = run(check, Map.of("USER_SERVICE_JDK_DIRS", empty.toString()));
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.output().strip().lines()).as(none.output()).hasSize(1);
    assertThat(none.output()).contains("needs a JDK 25 to build, but Maven runs on Java 17 at " + java17)
        .contains("apt install openjdk-25-jdk-headless");

    Tools.Result found = run(check, Map.of());
    assertThat(found.exitCode()).as("a JDK 25 is installed beside it: " + found.output()).isZero();
    assertThat(found.output()).isEmpty();
  }

  /** Runs with no JAVA_* variables (like a fresh shell), plus {@code env}. */
  private static Tools.Result run(List<String> command, Map<String, String> env) {
    return Tools.run(Path.of("."), 60, name -> name.startsWith("JAVA"), env, command.toArray(String[]::new));
  }

  /** A JDK 17 under /usr/lib/jvm, as Debian installs its default one. */
  private static Optional<Path> oldJdk() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.filter(home -> home.getFileName().toString().matches("java-17-openjdk-.*"))
          .filter(home -> Files.isExecutable(home.resolve("bin/java"))).findFirst();
    }
  }
}
