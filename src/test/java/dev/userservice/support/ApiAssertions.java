package dev.userservice.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;

/** What every answer of the API must look like. */
public final class ApiAssertions {
  private ApiAssertions() {
  }

  public static void assertJson(Response response, int status, JsonObject expected) {
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json; charset=utf-8");
    assertThat(response.json()).isEqualTo(expected);
  }

  public static void assertNotFoundUser(Response response) {
    assertJson(response, 404, new JsonObject().put("message", "user not found"));
  }

  public static void assertBadRequest(Response response, String field) {
    assertError(response, 400);
    assertThat(response.message()).contains(field);
  }

  /** An error: the status, and a JSON body with only a message that leaks no internals. */
  public static void assertError(Response response, int status) {
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.header("content-type")).isEqualTo("application/json; charset=utf-8");
    JsonObject body = response.json();
    assertThat(body.fieldNames()).containsExactly("message");
    assertThat(body.getString("message")).isNotBlank()
        .doesNotContain("Exception", "at dev.", "at io.", "SELECT", "INSERT", "UPDATE \"", "SQLSTATE", "java.");
  }
}
