package dev.userservice.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.userservice.support.OpenApiValidation;
import dev.userservice.support.TestService;
import dev.userservice.support.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * /docs in a real browser: headless Chromium opens the page from the running service, Swagger UI
 * draws every operation of the document, and every request the page makes goes to the service.
 * The screenshot it takes is the one in docs/ (copied there by hand when the page changes).
 */
class DocsInBrowserIT {

  @Test
  void swaggerUiListsEveryOperationAndAsksNoOtherHost() throws Exception {
    Tools.require("chromium");
    Path dir = Files.createDirectories(Path.of("target", "docs-in-browser"));
    try (TestService service = TestService.start()) {
      String origin = service.api.base();
      Tools.Result dom = Tools.run(dir, 60, chromium(dir.resolve("profile-dom"), "--log-net-log=net-log.json",
          "--dump-dom", origin + "/docs"));
      assertThat(dom.exitCode()).as(dom.output()).isZero();

      JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(OpenApiValidation.readDocument());
      List<String> operations = new ArrayList<>();
      document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
        if (op.getValue().has("operationId")) {
          operations.add("operations-" + op.getValue().get("tags").get(0).asText() + "-"
              + op.getValue().get("operationId").asText());
        }
      }));
      assertThat(operations).hasSize(14); // 1.2 adds GET, PUT and DELETE /user/me
      assertThat(dom.output()).as("Swagger UI drew every operation").contains(operations);

      List<String> pageRequests = new ArrayList<>();
      for (JsonNode event : new ObjectMapper().readTree(dir.resolve("net-log.json").toFile()).get("events")) {
        JsonNode params = event.get("params");
        // Requests the page made carry its origin as initiator; the browser's own have none.
        if (params != null && params.has("url") && origin.equals(params.path("initiator").asText())) {
          pageRequests.add(params.get("url").asText());
        }
      }
      assertThat(pageRequests).as("the page's requests were seen")
          .contains(origin + "/openapi.json", origin + "/docs/swagger-ui-bundle.js");
      assertThat(pageRequests).as("no request to another host").allMatch(url -> url.startsWith(origin + "/"));

      Tools.Result shot = Tools.run(dir, 60, chromium(dir.resolve("profile-shot"), "--window-size=1280,1600",
          "--hide-scrollbars", "--screenshot=" + dir.toAbsolutePath().resolve("swagger-ui.png"), origin + "/docs"));
      assertThat(shot.exitCode()).as(shot.output()).isZero();
      assertThat(Files.size(dir.resolve("swagger-ui.png"))).isGreaterThan(50_000);
      System.out.printf("/docs in Chromium: %d operations drawn, %d requests by the page, all to %s%n",
          operations.size(), pageRequests.size(), origin);
    }
  }

  private static String[] chromium(Path profile, String... args) {
    List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profile.toAbsolutePath(), "--virtual-time-budget=8000"));
    command.addAll(List.of(args));
    return command.toArray(String[]::new);
  }
}
