// Run by the build (see the pom's "find-jdk" profile) when Maven itself runs on a JDK older
// than the one the build needs: it looks where the toolchains plugin looks for a JDK of that
// version, and when there is none it says so in one line and stops the build, before the
// plugin's longer message about toolchains.xml. A single-file program: `java RequireJdk.java 25`.

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

public class RequireJdk {
  public static void main(String[] args) throws IOException {
    int required = Integer.parseInt(args[0]);
    for (Path home : candidates()) {
      if (feature(home) >= required) {
        return; // the toolchains plugin will find and use it
      }
    }
    System.out.println("user-service needs a JDK " + required + " to build, but Maven runs on Java "
        + Runtime.version().feature() + " at " + System.getProperty("java.home") + " and no JDK " + required
        + " was found (JAVA_HOME, JAVA" + required + "_HOME, JAVA_HOME_" + required + "_X64, /usr/lib/jvm, SDKMAN,"
        + " ~/.jdks). Install one (Debian/Ubuntu: apt install openjdk-" + required + "-jdk-headless; elsewhere:"
        + " your vendor's JDK " + required + " or SDKMAN) and run the build again.");
    System.exit(1);
  }

  /** JDK homes in the places the toolchains plugin's discovery looks first; USER_SERVICE_JDK_DIRS replaces the folders. */
  static List<Path> candidates() throws IOException {
    List<Path> homes = new ArrayList<>();
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (e.getKey().matches("JAVA(\\d*_HOME|_HOME_\\d+_.*|_HOME)")) {
        homes.add(Path.of(e.getValue()));
      }
    }
    String home = System.getProperty("user.home");
    String dirs = System.getenv().getOrDefault("USER_SERVICE_JDK_DIRS", String.join(java.io.File.pathSeparator,
        "/usr/lib/jvm", "/usr/java", "/opt/java", "/Library/Java/JavaVirtualMachines",
        home + "/.sdkman/candidates/java", home + "/.jdks", home + "/.asdf/installs/java"));
    for (String dir : dirs.split(java.io.File.pathSeparator)) {
      Path folder = Path.of(dir);
      if (Files.isDirectory(folder)) {
        try (Stream<Path> children = Files.list(folder)) {
          children.forEach(child -> {
            homes.add(child);
            homes.add(child.resolve("Contents/Home")); // macOS bundles
          });
        }
      }
    }
    return homes;
  }

  /** The feature version a JDK home's release file names (JAVA_VERSION="25.0.1"), or 0. */
  static int feature(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/javac"))) {
      return 0;
    }
    try {
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("JAVA_VERSION=")) {
          String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          String first = version.split("[.+-]")[0];
          return Integer.parseInt(first.equals("1") ? version.split("\\.")[1] : first);
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // not a JDK we can use
    }
    return 0;
  }
}
