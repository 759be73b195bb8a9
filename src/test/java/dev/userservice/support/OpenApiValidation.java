package dev.userservice.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.Yaml;

/**
 * Checks an answer of the service (status, headers, body) against openapi.yaml, the document
 * the service itself serves. {@link ApiClient} calls it for every answer, so an undocumented
 * status, header or field fails the test that received it.
 *
 * <p>Vert.x's OpenAPI validator (JSON Schema 2020-12, as OpenAPI 3.1 uses) checks answers of documented operations. Two answers belong to no operation, and
 * are checked here against what the document's description promises: an unknown path is a 404, and
 * a known path with another method is a 405 whose Allow header lists exactly the documented methods.
 */
public final class OpenApiValidation {
  private static final String DOCUMENT = readDocument();
  private static final Map<String, Object> PARSED = new Yaml().load(DOCUMENT);
  /** Path template to the methods the document gives it, such as /user/{id} to DELETE, GET, PUT. */
  private static final Map<String, Set<String>> METHODS = new TreeMap<>();
  /** "template METHOD" to the operation's id, which is how the validator names an operation. */
  private static final Map<String, String> OPERATIONS = new HashMap<>();
  private static final ResponseValidator VALIDATOR;
  /** The media type Vert.x's validator reads bodies of; the others (text, YAML, HTML) are checked here by name. */
  private static final Set<String> VALIDATOR_MEDIA_TYPES = Set.of("application/json");
  /** "operationId status" to the documented media types the validator does not read (YAML, HTML, OpenMetrics). */
  private static final Map<String, Set<String>> OTHER_MEDIA_TYPES = new HashMap<>();
  private static final AtomicLong VALIDATED = new AtomicLong();
  private static final String JSON = "application/json; charset=utf-8";

  static {
    readOperations();
    // A Vert.x of its own: the validator is Vert.x's, and the document is validated as it loads.
    Vertx vertx = Vertx.vertx();
    VALIDATOR = ResponseValidator.create(vertx,
        OpenAPIContract.from(vertx, withoutOtherMediaTypes(new JsonObject(PARSED))).await());
    // The count goes into the build's output, so a run shows how many answers were checked.
    Runtime.getRuntime().addShutdownHook(new Thread(OpenApiValidation::writeCount));
  }

  private OpenApiValidation() {
  }

  /** HEAD: a status the GET documents, and no body (the GET's headers come with it). */
  @SuppressWarnings("unchecked")
  private static List<String> headCheck(String template, Response response) {
    var problems = new ArrayList<String>();
    var get = (Map<String, Object>) ((Map<String, Map<String, Object>>) PARSED.get("paths")).get(template).get("get");
    var statuses = ((Map<Object, Object>) get.get("responses")).keySet().stream().map(String::valueOf).toList();
    if (!statuses.contains(Integer.toString(response.status()))) {
      problems.add("HEAD answered " + response.status() + ", which the GET does not document: " + statuses);
    }
    if (!response.body().isEmpty()) {
      problems.add("HEAD answered with a body");
    }
    VALIDATED.incrementAndGet();
    return problems;
  }

  /** Throws an AssertionError naming every way the answer breaks the document. */
  public static void check(String method, String rawPath, Response response) {
    String path = normalized(rawPath);
    String template = templateOf(path);
    List<String> problems;
    if (template == null) {
      problems = unmatched(response, 404, "unknown path");
    } else if (!METHODS.get(template).contains(method)) {
      problems = unmatched(response, 405, "method not documented for " + template);
      String allow = response.header("allow");
      String documented = String.join(", ", METHODS.get(template));
      if (allow == null || !new TreeSet<>(Arrays.asList(allow.split(",\\s*"))).equals(METHODS.get(template))) {
        problems.add("Allow header '" + allow + "' is not the documented methods " + documented);
      }
    } else if (method.equals("HEAD")) {
      problems = headCheck(template, response);
    } else {
      problems = libraryCheck(method, template, response);
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("answer to " + method + " " + rawPath + " breaks openapi.yaml: " + problems
          + "\n  answer: " + response.status() + " " + response.headers().map() + " " + response.body());
    }
    VALIDATED.incrementAndGet();
  }

  /**
   * Loads the document and the validator now (about a second of CPU), so that a load test does
   * not pay for it inside the window it measures.
   */
  public static void load() {
    // the static initialiser has run by the time this returns
  }

  private static List<String> libraryCheck(String method, String template, Response response) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response.headers().map().forEach((name, values) -> headers.put(name, String.join(", ", values)));
    String contentType = headers.get("content-type");
    String operationId = OPERATIONS.get(template + " " + method);
    List<String> problems = new ArrayList<>();
    Buffer body = response.body().isEmpty() ? null : Buffer.buffer(response.body());
    Set<String> others = OTHER_MEDIA_TYPES.getOrDefault(operationId + " " + response.status(), Set.of());
    String mediaType = contentType == null ? null : contentType.split(";")[0].trim();
    if (mediaType != null && others.contains(mediaType)) {
      body = null; // documented by type only: the status and headers are still checked below
      contentType = null;
      headers.remove("content-type");
    } else if (mediaType != null && !others.isEmpty() && !VALIDATOR_MEDIA_TYPES.contains(mediaType)) {
      problems.add("content type " + contentType + " is not documented for " + response.status());
    }
    if ("application/json".equals(mediaType) && !JSON.equals(contentType)) {
      problems.add("JSON must be sent as '" + JSON + "', got '" + contentType + "'");
    }
    String etag = headers.get("etag");
    if (etag != null && !etag.matches("\"[0-9]+\"")) {
      // Checked here: Vert.x's validator reads a header's quotes as JSON and drops them.
      problems.add("ETag must be a version in quotes, got " + etag);
    }
    if (response.status() == 304 && body != null) {
      problems.add("a 304 must have no body");
      return problems;
    }
    // The validator looks a media type up by its exact name, so it gets the type without parameters.
    var answer = ValidatableResponse.create(response.status(), headers, body, body == null ? null : mediaType);
    try {
      VALIDATOR.validate(answer, operationId).await();
    } catch (ValidatorException e) {
      problems.add(e.type() + ": " + e.getMessage()
          + (e instanceof SchemaValidationException schema ? " " + schema.getOutputUnit() : ""));
    }
    return problems;
  }

  /** An answer no operation owns: the given status and the document's Error shape. */
  private static List<String> unmatched(Response response, int status, String why) {
    List<String> problems = new ArrayList<>();
    if (response.status() != status) {
      problems.add(why + " must be answered " + status + ", got " + response.status());
    }
    try {
      JsonObject body = new JsonObject(response.body());
      if (!body.fieldNames().equals(Set.of("message")) || !(body.getValue("message") instanceof String)) {
        problems.add("body is not the Error shape {\"message\": \"...\"}");
      }
    } catch (RuntimeException notJson) {
      problems.add("body is not JSON");
    }
    return problems;
  }

  /** As the service reads a path: the query cut off, a trailing slash ignored. */
  private static String normalized(String rawPath) {
    String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** The documented path template a concrete path falls under, or null. {x} matches one segment. */
  private static String templateOf(String path) {
    String[] segments = path.split("/", -1);
    for (String template : METHODS.keySet()) {
      String[] parts = template.split("/", -1);
      if (parts.length != segments.length) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i < parts.length && match; i++) {
        match = parts[i].startsWith("{") ? !segments[i].isEmpty() : parts[i].equals(segments[i]);
      }
      if (match) {
        return template;
      }
    }
    return null;
  }

  /**
   * The document as Vert.x's validator can load it: no servers, and media types it does not read are taken out
   * of the copy it gets, and remembered so an answer in one of them is still checked by name.
   */
  private static JsonObject withoutOtherMediaTypes(JsonObject document) {
    JsonObject copy = document.copy();
    // Vert.x wants absolute server URLs, and the document's is relative on purpose ("/", so that
    // /docs calls the host it came from). The validator matches operations by id, not by server.
    copy.remove("servers");
    JsonObject paths = copy.getJsonObject("paths");
    for (String template : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(template);
      for (String key : item.fieldNames()) {
        if (!(item.getValue(key) instanceof JsonObject operation) || !operation.containsKey("responses")) {
          continue;
        }
        JsonObject responses = operation.getJsonObject("responses");
        for (String status : responses.fieldNames()) {
          JsonObject content = responses.getJsonObject(status).getJsonObject("content");
          if (content == null) {
            continue;
          }
          for (String type : new ArrayList<>(content.fieldNames())) {
            if (!VALIDATOR_MEDIA_TYPES.contains(type)) {
              OTHER_MEDIA_TYPES.computeIfAbsent(operation.getString("operationId") + " " + status, k -> new TreeSet<>())
                  .add(type);
              content.remove(type);
            }
          }
          if (content.isEmpty()) {
            responses.getJsonObject(status).remove("content");
          }
        }
      }
    }
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static void readOperations() {
    var paths = (Map<String, Map<String, Object>>) PARSED.get("paths");
    Set<String> httpMethods = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    paths.forEach((template, item) -> {
      Set<String> methods = new TreeSet<>();
      item.forEach((key, operation) -> {
        if (httpMethods.contains(key)) {
          methods.add(key.toUpperCase());
          OPERATIONS.put(template + " " + key.toUpperCase(), (String) ((Map<String, Object>) operation).get("operationId"));
        }
      });
      if (methods.contains("GET")) {
        methods.add("HEAD"); // served wherever GET is (RFC 9110), as the document's description says
      }
      METHODS.put(template, methods);
    });
  }

  /** The document the service serves, from its classpath. */
  public static String readDocument() {
    try (InputStream in = OpenApiValidation.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeCount() {
    try {
      Path file = Path.of("target", "openapi-validated-answers.txt");
      Files.writeString(file, ProcessHandle.current().pid() + " " + VALIDATED.get() + System.lineSeparator(),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the count is a report, not a check
    }
  }
}
