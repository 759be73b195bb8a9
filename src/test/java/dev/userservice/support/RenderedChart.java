package dev.userservice.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The chart as `helm template` renders it with a real helm, split into its objects. */
public final class RenderedChart {
  public static final Path CHART = Path.of("helm", "user-service");
  public static final String RELEASE = "user-service";
  public static final String NAMESPACE = "hw3";
  /** helm template assumes an old Kubernetes unless told; render for a current one. */
  public static final String KUBE_VERSION = "1.33.0";
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static boolean copied;

  private final String yaml;
  private final List<JsonNode> objects;

  private RenderedChart(String yaml, List<JsonNode> objects) {
    this.yaml = yaml;
    this.objects = objects;
  }

  /** Renders with these values set (name, value, name, value...). */
  public static RenderedChart render(String... sets) {
    FakeKubernetesApi.ensureStarted();
    var template = new Helm(withHooksAsPlainObjects()).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
    for (int i = 0; i < sets.length; i += 2) {
      template.set(sets[i], sets[i + 1]);
    }
    String yaml = template.call();
    return new RenderedChart(yaml, parse(yaml));
  }

  /** The objects of a stream of YAML documents, as helm template prints them (empty documents left out). */
  public static List<JsonNode> parse(String yaml) {
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(yaml)) {
      var documents = YAML.readValues(parser, JsonNode.class);
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && !document.isEmpty()) {
          objects.add(document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return objects;
  }

  /**
   * helm-java's template leaves hooks out, and the chart's only hook is its `helm test` pod. To
   * check that pod like every other object, render a copy of the chart whose hook annotations
   * are removed (the copy also turns the dashboard link into the file it points at).
   */
  private static synchronized Path withHooksAsPlainObjects() {
    Path copy = Path.of("target", "chart-with-plain-hooks", "user-service");
    if (copied) {
      return copy; // the chart does not change while the tests run: copy it once
    }
    try {
      if (Files.exists(copy)) {
        try (Stream<Path> old = Files.walk(copy)) {
          old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      try (Stream<Path> files = Files.walk(CHART)) {
        for (Path source : files.toList()) {
          Path target = copy.resolve(CHART.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            String text = Files.readString(source); // follows the dashboard link
            if (source.startsWith(CHART.resolve("templates/tests"))) {
              text = text.replaceAll("(?m)^\\s*helm\\.sh/hook(-delete-policy)?:.*\\n", "");
            }
            Files.writeString(target, text);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    copied = true;
    return copy;
  }

  /** The rendered PrometheusRule's groups as a plain Prometheus rule file, for promtool and Prometheus. */
  public static Path writePrometheusRules(Path file) {
    return writePrometheusRules(file, new String[0]);
  }

  /** As {@link #writePrometheusRules(Path)}, rendered with these values (name, value...), e.g. shorter windows for a live test. */
  public static Path writePrometheusRules(Path file, String... sets) {
    JsonNode rule = render(sets).ofKind("PrometheusRule").getFirst();
    var groups = JSON.createObjectNode();
    groups.set("groups", rule.at("/spec/groups"));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      YAML.writeValue(file.toFile(), groups);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  public String yaml() {
    return yaml;
  }

  public List<JsonNode> objects() {
    return objects;
  }

  public List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
  }

  public Optional<JsonNode> find(String kind, String name) {
    return ofKind(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst();
  }

  public JsonNode get(String kind, String name) {
    return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in\n" + yaml));
  }

  /** "Deployment=1, Service=2, ..." */
  public Map<String, Long> countByKind() {
    return new TreeMap<>(objects.stream().collect(Collectors.groupingBy(o -> o.path("kind").asText(), Collectors.counting())));
  }

  public static String toJson(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
