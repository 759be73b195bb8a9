package dev.userservice.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A few calls of the Prometheus HTTP API. */
public record Prometheus(String base) {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** An instant query; throws when Prometheus refuses the expression. */
  public JsonArray query(String promql) {
    return answer(promql, "");
  }

  /** An instant query evaluated at {@code epochSeconds} (for series of the past). */
  public JsonArray query(String promql, long epochSeconds) {
    return answer(promql, "&time=" + epochSeconds);
  }

  private JsonArray answer(String promql, String time) {
    JsonObject answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + time);
    if (!"success".equals(answer.getString("status"))) {
      throw new IllegalArgumentException(promql + ": " + answer.getString("error"));
    }
    return answer.getJsonObject("data").getJsonArray("result");
  }

  public JsonArray labelValues(String label, String match) {
    return get("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8))
        .getJsonArray("data");
  }

  public JsonObject get(String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(response.body());
    } catch (Exception e) {
      throw new IllegalStateException("Prometheus " + path + ": " + e, e);
    }
  }
}
