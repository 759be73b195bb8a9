package dev.userservice.http;

import static dev.userservice.support.ApiAssertions.assertBadRequest;
import static dev.userservice.support.ApiAssertions.assertJson;
import static dev.userservice.support.ApiAssertions.assertNotFoundUser;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ETag, If-None-Match and If-Match as API 1.1 gives them, each answer checked against the database's effect. */
class ConditionalRequestsTest {
  private static final ApiClient api = SharedService.api();
  private static final JsonObject CHANGED = new JsonObject().put("message", "user was changed since it was read");

  @Test
  void aNewUserIsVersionOneAndEveryUpdateAddsOne() {
    long id = api.createUser("etag");
    assertThat(api.get("/user/" + id).header("etag")).isEqualTo("\"1\"");

    Response updated = api.put("/user/" + id, user("etag-renamed-" + id));
    assertThat(updated.header("etag")).isEqualTo("\"2\"");
    assertThat(api.get("/user/" + id).header("etag")).isEqualTo("\"2\"");
    assertThat(api.put("/user/" + id, user("etag-renamed-" + id)).header("etag"))
        .as("an update that changes nothing is still an update").isEqualTo("\"3\"");
  }

  @Test
  void ifNoneMatchWithTheCurrentVersionIsNotModified() {
    long id = api.createUser("not-modified");
    for (String current : new String[] {"\"1\"", "W/\"1\"", "*", "\"7\", \"1\""}) {
      Response response = get(id, "If-None-Match", current);
      assertThat(response.status()).as(current).isEqualTo(304);
      assertThat(response.body()).isEmpty();
      assertThat(response.header("etag")).isEqualTo("\"1\"");
    }
    Response stale = get(id, "If-None-Match", "\"0\"");
    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.json().getLong("id")).isEqualTo(id);
    assertNotFoundUser(get(Long.MAX_VALUE, "If-None-Match", "*"));
  }

  @Test
  void aStalePutIsRefusedAndWritesNothing() {
    long id = api.createUser("stale-put");
    Response before = api.get("/user/" + id);
    assertJson(put(id, user("someone-else-" + id), "If-Match", "\"1\""), 200,
        new JsonObject().put("message", "user updated").put("id", id));

    assertJson(put(id, user("lost-update-" + id), "If-Match", "\"1\""), 412, CHANGED);

    Response after = api.get("/user/" + id);
    assertThat(after.json().getString("username")).isEqualTo("someone-else-" + id);
    assertThat(after.header("etag")).isEqualTo("\"2\"");
    assertThat(before.header("etag")).isEqualTo("\"1\"");
  }

  @Test
  void aCurrentPutWritesAndAnswersTheNewETag() {
    long id = api.createUser("current-put");
    Response response = put(id, user("current-" + id), "If-Match", "\"5\", \"1\"");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("etag")).isEqualTo("\"2\"");
    assertThat(api.get("/user/" + id).json().getString("username")).isEqualTo("current-" + id);
  }

  @Test
  void aWeakTagNeverMatchesAWrite() {
    long id = api.createUser("weak");
    assertJson(put(id, user("weak-" + id), "If-Match", "W/\"1\""), 412, CHANGED);
    assertJson(delete(id, "If-Match", "W/\"1\""), 412, CHANGED);
    assertThat(api.get("/user/" + id).status()).isEqualTo(200);
  }

  @Test
  void ifMatchAnyOnlyRequiresThatTheUserExists() {
    long id = api.createUser("any");
    assertThat(put(id, user("any-" + id), "If-Match", "*").status()).isEqualTo(200);
    assertNotFoundUser(put(Long.MAX_VALUE - 1, user("nobody-" + id), "If-Match", "*"));
    assertNotFoundUser(delete(Long.MAX_VALUE - 1, "If-Match", "*"));
    assertThat(delete(id, "If-Match", "*").status()).isEqualTo(200);
  }

  @Test
  void aMissingUserIsNotFoundWhateverTheVersion() {
    assertNotFoundUser(put(Long.MAX_VALUE - 2, user("ghost"), "If-Match", "\"1\""));
    assertNotFoundUser(delete(Long.MAX_VALUE - 2, "If-Match", "\"1\""));
  }

  @Test
  void aStaleDeleteIsRefusedAndTheUserStays() {
    long id = api.createUser("stale-delete");
    api.put("/user/" + id, user("stale-delete-2-" + id));
    assertJson(delete(id, "If-Match", "\"1\""), 412, CHANGED);
    assertThat(api.get("/user/" + id).status()).isEqualTo(200);
    assertJson(delete(id, "If-Match", "\"2\""), 200, new JsonObject().put("message", "user deleted").put("id", id));
    assertNotFoundUser(api.get("/user/" + id));
  }

  @Test
  void withoutIfMatchWritesAreUnconditionalAsInOnePointZero() {
    long id = api.createUser("unconditional");
    api.put("/user/" + id, user("first-" + id));
    assertThat(api.put("/user/" + id, user("second-" + id)).status()).isEqualTo(200);
    assertThat(api.delete("/user/" + id).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "\"1", "\"1\" \"2\"", "W/1", "\"1\",", ",", "**", "\"a\"b\""})
  void aMalformedIfMatchIsABadRequestNamingTheHeader(String header) {
    long id = api.createUser("malformed");
    assertBadRequest(put(id, user("malformed-" + id), "If-Match", header), "If-Match");
    assertBadRequest(delete(id, "If-Match", header), "If-Match");
    assertBadRequest(get(id, "If-None-Match", header), "If-None-Match");
    assertThat(api.get("/user/" + id).header("etag")).as("nothing was written").isEqualTo("\"1\"");
  }

  private static String user(String username) {
    return new JsonObject().put("username", username).encode();
  }

  private static Response get(long id, String header, String value) {
    return api.request("GET", "/user/" + id, null, header, value);
  }

  private static Response put(long id, String json, String header, String value) {
    return api.request("PUT", "/user/" + id, json.getBytes(StandardCharsets.UTF_8),
        "content-type", "application/json", header, value);
  }

  private static Response delete(long id, String header, String value) {
    return api.request("DELETE", "/user/" + id, null, header, value);
  }
}
