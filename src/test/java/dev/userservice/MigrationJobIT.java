package dev.userservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.userservice.db.DbSettings;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The chart's migration Job, run as the cluster would run it: the image's ENTRYPOINT from the
 * Dockerfile, the Job's args, and the environment the Job gets from the rendered ConfigMap and
 * Secret, against a real PostgreSQL. Only the jar's path inside the image is mapped to target/,
 * and the image's AOT cache flag is left out (the cache is built in the image).
 */
class MigrationJobIT {

  @Test
  void renderedJobMigratesARealDatabase() throws Exception {
    DbSettings server = TestDatabase.createEmpty("chart_job");
    String database = server.database();
    var chart = RenderedChart.render("postgresql.enabled", "false", "database.host", server.host(),
        "database.port", Integer.toString(server.port()), "database.name", database, "database.user", server.user(),
        "database.password", "not-checked-by-the-embedded-server");

    JsonNode job = chart.ofKind("Job").getFirst();
    JsonNode container = job.at("/spec/template/spec/containers/0");
    List<String> command = new ArrayList<>(entrypoint());
    container.path("args").forEach(arg -> command.add(arg.asText()));
    command.replaceAll(part -> part.equals("/app/user-service.jar")
        ? Path.of(System.getProperty("userservice.jar", "target/user-service.jar")).toAbsolutePath().toString() : part);
    command.removeIf(part -> part.startsWith("-XX:AOTCache=")); // the cache exists only in the image
    command.set(0, ProcessHandle.current().info().command().orElse("java"));

    Map<String, String> env = new HashMap<>();
    JsonNode configMap = chart.get("ConfigMap", container.at("/envFrom/0/configMapRef/name").asText());
    configMap.path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    for (JsonNode variable : container.path("env")) {
      JsonNode ref = variable.at("/valueFrom/secretKeyRef");
      String value = ref.isMissingNode() ? variable.path("value").asText()
          : new String(Base64.getDecoder().decode(chart.get("Secret", ref.path("name").asText())
              .at("/data/" + ref.path("key").asText()).asText()), StandardCharsets.UTF_8);
      env.put(variable.path("name").asText(), value);
    }

    var builder = new ProcessBuilder(command).redirectErrorStream(true)
        .directory(ServiceProcess.workDir("job").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("DB_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    System.out.println("migration Job as rendered: " + String.join(" ", command) + " -> exit " + process.exitValue());
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("database migrated");

    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT username FROM \"user\" WHERE id = 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  /** ENTRYPOINT ["java", ...] of the Dockerfile's final stage. */
  private static List<String> entrypoint() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    Matcher m = Pattern.compile("(?m)^ENTRYPOINT\\s+(\\[.*])\\s*$").matcher(dockerfile);
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    assertThat(last).as("the Dockerfile has an exec-form ENTRYPOINT").isNotNull();
    return new JsonArray(last).stream().map(Object::toString).toList();
  }
}
