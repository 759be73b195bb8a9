package dev.userservice.http;

import static dev.userservice.support.ApiAssertions.assertBadRequest;
import static dev.userservice.support.ApiAssertions.assertError;
import static dev.userservice.support.ApiAssertions.assertJson;
import static dev.userservice.support.ApiAssertions.assertNotFoundUser;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every success row of the contract, and the errors that are not about field rules. */
class UserApiTest {
  private static final ApiClient api = SharedService.api();

  @Test
  void healthAndReadinessAnswerOk() {
    assertJson(api.get("/health"), 200, new JsonObject().put("status", "OK"));
    assertJson(api.get("/ready"), 200, new JsonObject().put("status", "OK"));
  }

  @Test
  void seededUserOneExists() {
    Response response = api.get("/user/1");
    // Other tests may edit or delete user 1 only in their own database, never this shared one.
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().getLong("id")).isEqualTo(1);
  }

  @Test
  void createReadUpdateDeleteRoundTrip() {
    String username = ApiClient.uniqueName("crud");
    var created = api.post("/user", new JsonObject().put("username", username).put("firstName", "Ada")
        .put("lastName", "Lovelace").put("email", "ada@example.com").put("phone", "+44 (20) 7946-0000").encode());
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.header("content-type")).isEqualTo("application/json; charset=utf-8");
    long id = created.json().getLong("id");
    assertThat(created.json()).isEqualTo(new JsonObject().put("message", "user created").put("id", id));
    assertThat(id).isGreaterThan(1);

    assertJson(api.get("/user/" + id), 200, new JsonObject().put("id", id).put("username", username)
        .put("firstName", "Ada").put("lastName", "Lovelace").put("email", "ada@example.com")
        .put("phone", "+44 (20) 7946-0000"));

    // PUT replaces every writable field: the absent ones become null.
    String renamed = username + "-2";
    assertJson(api.put("/user/" + id, new JsonObject().put("username", renamed).put("lastName", "King").encode()),
        200, new JsonObject().put("message", "user updated").put("id", id));
    assertJson(api.get("/user/" + id), 200, new JsonObject().put("id", id).put("username", renamed)
        .putNull("firstName").put("lastName", "King").putNull("email").putNull("phone"));

    assertJson(api.delete("/user/" + id), 200, new JsonObject().put("message", "user deleted").put("id", id));
    assertNotFoundUser(api.get("/user/" + id));
    assertNotFoundUser(api.delete("/user/" + id));
    assertNotFoundUser(api.put("/user/" + id, new JsonObject().put("username", renamed).encode()));
  }

  @Test
  void bodyMayRepeatThePathIdOnUpdate() {
    long id = api.createUser("same-id");
    var response = api.put("/user/" + id, new JsonObject().put("id", id).put("username", ApiClient.uniqueName("x")).encode());
    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void bodyIdThatDisagreesWithThePathIsRefused() {
    long id = api.createUser("other-id");
    assertBadRequest(api.put("/user/" + id, new JsonObject().put("id", id + 1).put("username", "z").encode()), "id");
    assertBadRequest(api.put("/user/" + id, "{\"id\": 99999999999999999999999, \"username\": \"z\"}"), "id");
    assertBadRequest(api.put("/user/" + id, new JsonObject().put("id", "" + id).put("username", "z").encode()), "id");
    assertBadRequest(api.post("/user", new JsonObject().put("id", 5).put("username", "z").encode()), "id");
  }

  @Test
  void trailingSlashIsTheSameRoute() {
    assertThat(api.get("/health/").status()).isEqualTo(200);
    assertThat(api.get("/user/1/").status()).isEqualTo(200);
    var created = api.post("/user/", new JsonObject().put("username", ApiClient.uniqueName("slash")).encode());
    assertThat(created.status()).isEqualTo(200);
    long id = created.json().getLong("id");
    assertThat(api.put("/user/" + id + "/", new JsonObject().put("username", ApiClient.uniqueName("s")).encode())
        .status()).isEqualTo(200);
    assertThat(api.delete("/user/" + id + "/").status()).isEqualTo(200);
  }

  @Test
  void bodyOnGetAndDeleteIsIgnored() {
    long id = api.createUser("ignored-body");
    byte[] junk = "this is not json {".getBytes(StandardCharsets.UTF_8);
    assertThat(api.request("GET", "/user/" + id, junk, "content-type", "text/plain").status()).isEqualTo(200);
    assertThat(api.request("DELETE", "/user/" + id, junk).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
      "Application/JSON", "application/json; charset=\"utf-8\""})
  void jsonContentTypeWithOrWithoutCharsetIsAccepted(String contentType) {
    byte[] body = new JsonObject().put("username", ApiClient.uniqueName("ct")).encode().getBytes(StandardCharsets.UTF_8);
    assertThat(api.request("POST", "/user", body, "content-type", contentType).status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"})
  void postAndPutWithoutJsonContentTypeAre415(String contentType) {
    byte[] body = new JsonObject().put("username", ApiClient.uniqueName("ct")).encode().getBytes(StandardCharsets.UTF_8);
    String[] headers = contentType.isEmpty() ? new String[0] : new String[] {"content-type", contentType};
    assertError(api.request("POST", "/user", body, headers), 415);
    assertError(api.request("PUT", "/user/1", body, headers), 415);
  }

  @Test
  void bodyOver64KiBIs413() {
    String big = new JsonObject().put("username", "x".repeat(70_000)).encode();
    assertError(api.post("/user", big), 413);
    assertError(api.put("/user/1", big), 413);
    // Exactly at the limit is still read (and then refused for its content, not its size).
    String atLimit = "{\"username\":\"" + "y".repeat(64 * 1024 - 15) + "\"}";
    assertThat(atLimit.length()).isEqualTo(64 * 1024);
    assertError(api.post("/user", atLimit), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "-1", "1.5", "1e3", "9223372036854775808", "99999999999999999999999", "+1",
      "%20", "0x10"})
  void idThatIsNotAPositiveInt64Is400(String id) {
    for (Response response : new Response[] {api.get("/user/" + id), api.delete("/user/" + id),
        api.put("/user/" + id, "{\"username\":\"x\"}")}) {
      assertError(response, 400);
      assertThat(response.message()).contains("id");
    }
  }

  @Test
  void largestInt64IdIsValidAndNotFound() {
    assertNotFoundUser(api.get("/user/9223372036854775807"));
  }

  @Test
  void duplicateUsernameIs409OnCreateAndUpdate() {
    String taken = ApiClient.uniqueName("taken");
    assertThat(api.post("/user", new JsonObject().put("username", taken).encode()).status()).isEqualTo(200);
    assertError(api.post("/user", new JsonObject().put("username", taken).encode()), 409);
    long other = api.createUser("other");
    assertError(api.put("/user/" + other, new JsonObject().put("username", taken).encode()), 409);
  }

  @Test
  void keepingOnesOwnUsernameOnUpdateIsNoConflict() {
    String name = ApiClient.uniqueName("keep");
    long id = api.post("/user", new JsonObject().put("username", name).encode()).json().getLong("id");
    assertThat(api.put("/user/" + id, new JsonObject().put("username", name).put("firstName", "K").encode())
        .status()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/users", "/user/1/extra", "/healthz", "/user/1/2/3", "/metrics/x"})
  void unknownPathIs404(String path) {
    assertError(api.get(path), 404);
  }

  @Test
  void headIsServedWhereverGetIsWithTheGetsStatusAndHeadersAndNoBody() {
    long id = api.createUser("head");
    Response get = api.get("/user/" + id);
    Response head = api.request("HEAD", "/user/" + id, null);
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.header("etag")).isEqualTo(get.header("etag"));
    assertThat(head.header("content-type")).isEqualTo(get.header("content-type"));
    assertThat(api.request("HEAD", "/user/999999999", null).status()).isEqualTo(404);
    for (String path : new String[] {"/health", "/ready", "/metrics", "/openapi.yaml", "/openapi.json", "/docs"}) {
      Response answer = api.request("HEAD", path, null);
      assertThat(answer.status()).as(path).isEqualTo(200);
      assertThat(answer.body()).as(path).isEmpty();
    }
  }

  @Test
  void wrongMethodIs405WithAllow() {
    assertMethodNotAllowed(api.request("PATCH", "/user/1", null), "GET, HEAD, PUT, DELETE");
    assertMethodNotAllowed(api.request("POST", "/user/1", "{}".getBytes(), "content-type", "application/json"),
        "GET, HEAD, PUT, DELETE");
    assertMethodNotAllowed(api.get("/user"), "POST");
    assertMethodNotAllowed(api.request("DELETE", "/user", null), "POST");
    assertMethodNotAllowed(api.request("POST", "/health", null), "GET, HEAD");
    assertMethodNotAllowed(api.request("PUT", "/ready", null), "GET, HEAD");
    assertMethodNotAllowed(api.request("DELETE", "/metrics", null), "GET, HEAD");
  }

  @Test
  void idleKeepAliveConnectionsAreClosed() throws Exception {
    try (var service = TestService.start(TestDatabase.settings(), Map.of("HTTP_IDLE_TIMEOUT_MS", "500"));
         var socket = new Socket("127.0.0.1", URI.create(service.api.base()).getPort())) {
      socket.setSoTimeout(5000);
      long started = System.nanoTime();
      assertThat(socket.getInputStream().read()).as("the server closed the idle connection").isEqualTo(-1);
      assertThat((System.nanoTime() - started) / 1_000_000).isBetween(300L, 4000L);
    }
  }

  @Test
  void overLongRequestLineAndHeadersGetJsonErrors() throws Exception {
    int port = URI.create(api.base()).getPort();
    String longLine = rawRequest(port, "GET /user/" + "1".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(longLine).matches("(?s)HTTP/1\\.[01] 414 .*").contains("application/json").contains("{\"message\":\"request line longer");
    String bigHeaders = rawRequest(port, "GET /user/1 HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(9000) + "\r\n\r\n");
    assertThat(bigHeaders).matches("(?s)HTTP/1\\.[01] 431 .*").contains("{\"message\":\"request headers larger");
    assertThat(api.get("/user/1").status()).as("still serving").isEqualTo(200);
  }

  /** Sends bytes as they are and reads the answer until the server closes the connection. */
  private static String rawRequest(int port, String request) throws Exception {
    try (var socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertMethodNotAllowed(Response response, String allow) {
    assertError(response, 405);
    assertThat(response.header("allow")).isEqualTo(allow);
  }
}
