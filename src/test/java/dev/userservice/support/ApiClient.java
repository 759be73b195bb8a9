package dev.userservice.support;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;

/** A plain HTTP client over a real socket, with the few calls the tests make again and again. */
public final class ApiClient {
  public static final String JSON = "application/json";

  private final String base;
  /** Every how many answers is checked against openapi.yaml: 1 for the API tests, more under load. */
  private final int checkEvery;
  private final java.util.concurrent.atomic.AtomicLong answers = new java.util.concurrent.atomic.AtomicLong();
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1) // what ingress controllers and load tools speak
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  public ApiClient(String base) {
    this(base, 1);
  }

  private ApiClient(String base, int checkEvery) {
    this.base = base;
    this.checkEvery = checkEvery;
  }

  /**
   * The same service for a load generator: a check costs about a millisecond of CPU (measured),
   * which on two cores would slow the very load it is part of, so only every 25th answer is
   * checked against the document. The load still checks each answer's status and body itself.
   */
  public ApiClient forLoad() {
    return new ApiClient(base, 25);
  }

  public String base() {
    return base;
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  public Response post(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("content-type", JSON)
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response put(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("content-type", JSON)
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** Any method, body bytes and headers (name, value, name, value...), exactly as given. */
  public Response request(String method, String path, byte[] body, String... headers) {
    var builder = HttpRequest.newBuilder(uri(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      builder.headers(headers);
    }
    return send(builder);
  }

  /** Creates a user with a fresh unique username and returns its id. */
  public long createUser(String prefix) {
    Response response = post("/user", new JsonObject().put("username", uniqueName(prefix)).encode());
    if (response.status() != 200) {
      throw new IllegalStateException("create failed: " + response);
    }
    return response.json().getLong("id");
  }

  /**
   * The sum of a metric's series in the service's /metrics whose labels include every given
   * {@code name="value"} pair (for example {@code "area", "heap"}); fails when no series matches.
   */
  public double metric(String name, String... labels) {
    var series = get("/metrics").body().lines().filter(l -> l.startsWith(name + "{"));
    for (int i = 0; i < labels.length; i += 2) {
      String label = labels[i] + "=\"" + labels[i + 1] + "\"";
      series = series.filter(l -> l.contains(label));
    }
    double[] values = series.mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toArray();
    if (values.length == 0) {
      throw new AssertionError("no series " + name + " with " + String.join(",", labels) + " in /metrics");
    }
    return Arrays.stream(values).sum();
  }

  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private Response send(HttpRequest.Builder builder) {
    try {
      HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      var answer = new Response(response.statusCode(), response.headers(), response.body());
      if (answers.getAndIncrement() % checkEvery == 0) {
        OpenApiValidation.check(request.method(), request.uri().getRawPath(), answer);
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
