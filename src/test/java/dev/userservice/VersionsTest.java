package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.config.BuildInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One version everywhere a user reads one: the service (the POM, as the jar reports it), the
 * chart's appVersion (the tag of the image install.sh builds: checked in DeployScriptsIT), the
 * Dockerfile's image label, and the OpenAPI document's info.version.
 */
class VersionsTest {

  @Test
  void theServiceChartImageAndApiNameTheSameVersion() throws IOException {
    String service = BuildInfo.get("version");
    assertThat(service).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(find("helm/user-service/Chart.yaml", "(?m)^appVersion: \"?([^\"\\s]+)\"?$")).as("Chart.yaml appVersion")
        .isEqualTo(service);
    assertThat(find("Dockerfile", "(?m)^ARG VERSION=(\\S+)$")).as("the Dockerfile's default label").isEqualTo(service);
    assertThat(find("src/main/resources/openapi.yaml", "(?m)^info:\\n(?:  .*\\n)*?  version: (\\S+)$"))
        .as("openapi.yaml info.version").isEqualTo(service);
  }

  private static String find(String file, String regex) throws IOException {
    Matcher m = Pattern.compile(regex).matcher(Files.readString(Path.of(file)));
    assertThat(m.find()).as(regex + " in " + file).isTrue();
    return m.group(1);
  }
}
