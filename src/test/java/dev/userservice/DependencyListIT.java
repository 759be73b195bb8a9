package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The security page's list of runtime dependencies is exactly the jars the build ships in target/lib. */
class DependencyListIT {

  @Test
  void readmeListsExactlyTheShippedJars() throws Exception {
    List<String> shipped;
    try (Stream<Path> jars = Files.list(Path.of("target", "lib"))) {
      shipped = jars.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar"))
          .map(n -> n.substring(0, n.length() - ".jar".length())).sorted().toList();
    }
    String readme = Files.readString(Path.of("docs", "security.md"));
    int section = readme.indexOf("kept true by `DependencyListIT`");
    assertThat(section).as("the dependency section of docs/security.md").isPositive();
    int start = readme.indexOf("```text\n", section) + "```text\n".length();
    int end = readme.indexOf("```", start);
    List<String> listed = readme.substring(start, end).lines().filter(l -> !l.isBlank()).toList();
    assertThat(listed).as("docs/security.md (update it from target/lib)").containsExactlyElementsOf(shipped);
  }
}
