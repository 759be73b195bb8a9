package dev.userservice.openapi;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.support.OpenApiValidation;
import dev.userservice.support.Response;
import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The check every API test relies on must be able to fail: answers that break the document in
 * one way each are refused, and their correct twins pass.
 */
class OpenApiValidationTest {
  private static final String USER = """
      {"id":7,"username":"ada","firstName":null,"lastName":"L","email":null,"phone":null}""";
  private static final String JSON = "application/json; charset=utf-8";

  @Test
  void aUserWithItsETagPasses() {
    assertThatCode(() -> check("GET", "/user/7", answer(200, USER, "content-type", JSON, "etag", "\"3\"")))
        .doesNotThrowAnyException();
  }

  @Test
  void aUserWithoutETagIsRefused() {
    assertBreaks("GET", "/user/7", answer(200, USER, "content-type", JSON), "ETag");
  }

  @Test
  void anUndocumentedFieldIsRefused() {
    assertBreaks("GET", "/user/7", answer(200, USER.replace("}", ",\"password\":\"x\"}"),
        "content-type", JSON, "etag", "\"3\""), "password");
  }

  @Test
  void aMissingFieldIsRefused() {
    assertBreaks("GET", "/user/7", answer(200, USER.replace(",\"phone\":null", ""),
        "content-type", JSON, "etag", "\"3\""), "phone");
  }

  @Test
  void aFieldOfTheWrongTypeIsRefused() {
    assertBreaks("GET", "/user/7", answer(200, USER.replace("\"id\":7", "\"id\":\"7\""),
        "content-type", JSON, "etag", "\"3\""), "id");
  }

  @Test
  void anUndocumentedStatusIsRefused() {
    assertBreaks("DELETE", "/user/7", answer(409, "{\"message\":\"taken\"}", "content-type", JSON), "409");
  }

  @Test
  void anUnavailableAnswerWithoutRetryAfterIsRefused() {
    assertBreaks("GET", "/user/7", answer(503, "{\"message\":\"service unavailable\"}", "content-type", JSON),
        "Retry-After");
    assertThatCode(() -> check("GET", "/user/7", answer(503, "{\"message\":\"service unavailable\"}",
        "content-type", JSON, "retry-after", "1"))).doesNotThrowAnyException();
  }

  @Test
  void anErrorWithMoreThanAMessageIsRefused() {
    assertBreaks("GET", "/user/7", answer(404, "{\"message\":\"user not found\",\"trace\":\"x\"}",
        "content-type", JSON), "trace");
  }

  @Test
  void aNotModifiedWithABodyIsRefused() {
    assertBreaks("GET", "/user/7", answer(304, USER, "etag", "\"3\""), "304");
  }

  @Test
  void aWrongMethodMustListTheDocumentedMethods() {
    assertBreaks("PATCH", "/user/7", answer(405, "{\"message\":\"no\"}", "content-type", JSON, "allow", "GET, PUT"),
        "Allow");
    assertThatCode(() -> check("PATCH", "/user/7/", answer(405, "{\"message\":\"no\"}", "content-type", JSON,
        "allow", "GET, HEAD, PUT, DELETE"))).doesNotThrowAnyException();
  }

  @Test
  void anUnknownPathMustBeANotFoundError() {
    assertBreaks("GET", "/nowhere", answer(200, "{\"status\":\"OK\"}", "content-type", JSON), "404");
  }

  private static void assertBreaks(String method, String path, Response response, String named) {
    assertThatThrownBy(() -> check(method, path, response))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("breaks openapi.yaml")
        .hasMessageContaining(named);
  }

  private static void check(String method, String path, Response response) {
    OpenApiValidation.check(method, path, response);
  }

  private static Response answer(int status, String body, String... headers) {
    Map<String, List<String>> map = new HashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new Response(status, HttpHeaders.of(map, (a, b) -> true), body);
  }
}
