package dev.userservice.support;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpHeaders;

/** What came back: status, headers and body. */
public record Response(int status, HttpHeaders headers, String body) {

  public JsonObject json() {
    return new JsonObject(body);
  }

  public String message() {
    return json().getString("message");
  }

  public String header(String name) {
    return headers.firstValue(name).orElse(null);
  }

  @Override
  public String toString() {
    return status + " " + body;
  }
}
