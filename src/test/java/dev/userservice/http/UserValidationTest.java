package dev.userservice.http;

import static dev.userservice.support.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each bad body of the contract, sent to both POST /user and PUT /user/{id}: a 400 whose
 * message names what is wrong, and nothing stored.
 */
class UserValidationTest {
  private static final ApiClient api = SharedService.api();
  private static long existingId;
  private static JsonObject existing;

  @BeforeAll
  static void createUser() {
    existingId = api.createUser("validation");
    existing = api.get("/user/" + existingId).json();
  }

  static Stream<Arguments> badBodies() {
    String n256 = "n".repeat(256);
    return Stream.of(
        Arguments.of("not JSON", "{\"username\": ", "not valid JSON"),
        Arguments.of("empty body", "", "empty"),
        Arguments.of("trailing garbage", "{\"username\":\"a\"} {}", "one JSON object"),
        Arguments.of("array", "[{\"username\":\"a\"}]", "JSON object"),
        Arguments.of("string", "\"a\"", "JSON object"),
        Arguments.of("null", "null", "JSON object"),
        Arguments.of("number", "42", "JSON object"),
        Arguments.of("single quotes", "{'username':'a'}", "not valid JSON"),
        Arguments.of("comment", "{\"username\":\"a\" /* hi */}", "not valid JSON"),
        Arguments.of("missing username", "{\"firstName\":\"a\"}", "'username' is required"),
        Arguments.of("null username", "{\"username\":null}", "'username'"),
        Arguments.of("empty username", "{\"username\":\"\"}", "'username' must not be blank"),
        Arguments.of("blank username", "{\"username\":\" \\t\\n \"}", "'username' must not be blank"),
        Arguments.of("257-char username", "{\"username\":\"" + n256 + "x\"}", "'username' must be at most 256"),
        Arguments.of("numeric username", "{\"username\":42}", "'username' must be a string"),
        Arguments.of("boolean firstName", "{\"username\":\"a\",\"firstName\":true}", "'firstName' must be a string"),
        Arguments.of("object lastName", "{\"username\":\"a\",\"lastName\":{}}", "'lastName' must be a string"),
        Arguments.of("array email", "{\"username\":\"a\",\"email\":[\"a@b\"]}", "'email' must be a string"),
        Arguments.of("number phone", "{\"username\":\"a\",\"phone\":5551234}", "'phone' must be a string"),
        Arguments.of("257-char firstName", "{\"username\":\"a\",\"firstName\":\"" + n256 + "x\"}", "'firstName' must be at most 256"),
        Arguments.of("257-char lastName", "{\"username\":\"a\",\"lastName\":\"" + n256 + "x\"}", "'lastName' must be at most 256"),
        Arguments.of("email without @", "{\"username\":\"a\",\"email\":\"example.com\"}", "'email'"),
        Arguments.of("email with two @", "{\"username\":\"a\",\"email\":\"a@b@c\"}", "'email'"),
        Arguments.of("email with space", "{\"username\":\"a\",\"email\":\"a b@c.d\"}", "'email'"),
        Arguments.of("email without local part", "{\"username\":\"a\",\"email\":\"@c.d\"}", "'email'"),
        Arguments.of("empty email", "{\"username\":\"a\",\"email\":\"\"}", "'email'"),
        Arguments.of("email too long", "{\"username\":\"a\",\"email\":\"" + "e".repeat(251) + "@x.com\"}", "'email' must be at most 256"),
        Arguments.of("phone with letters", "{\"username\":\"a\",\"phone\":\"555-CALL-NOW\"}", "'phone'"),
        Arguments.of("phone with no digit", "{\"username\":\"a\",\"phone\":\"+-()\"}", "'phone'"),
        Arguments.of("33-char phone", "{\"username\":\"a\",\"phone\":\"" + "1".repeat(33) + "\"}", "'phone' must be at most 32"),
        Arguments.of("unknown field", "{\"username\":\"a\",\"nickname\":\"b\"}", "unknown field 'nickname'"),
        Arguments.of("firstname typo", "{\"username\":\"a\",\"firstname\":\"b\"}", "did you mean 'firstName'"),
        Arguments.of("last_name typo", "{\"username\":\"a\",\"last_name\":\"b\"}", "did you mean 'lastName'"),
        Arguments.of("userName typo", "{\"userName\":\"a\"}", "did you mean 'username'"),
        Arguments.of("Email typo", "{\"username\":\"a\",\"Email\":\"a@b\"}", "did you mean 'email'"),
        Arguments.of("duplicate key", "{\"username\":\"a\",\"username\":\"b\"}", "'username' appears more than once"),
        Arguments.of("NUL in username", "{\"username\":\"a\\u0000b\"}", "NUL"),
        Arguments.of("NUL in lastName", "{\"username\":\"a\",\"lastName\":\"\\u0000\"}", "NUL"),
        Arguments.of("lone surrogate", "{\"username\":\"a\\ud800b\"}", "Unicode"),
        Arguments.of("deep nesting", "{\"username\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", "'username'"),
        Arguments.of("deep nesting unclosed", "[".repeat(10_000), "JSON"),
        Arguments.of("huge number", "{\"username\":\"a\",\"firstName\":1" + "0".repeat(5000) + "}", "JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badBodyIs400OnCreate(String name, String body, String expectedMessagePart) {
    Response response = api.post("/user", body);
    assertError(response, 400);
    assertThat(response.message()).contains(expectedMessagePart);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void badBodyIs400OnUpdateAndChangesNothing(String name, String body, String expectedMessagePart) {
    Response response = api.put("/user/" + existingId, body);
    assertError(response, 400);
    assertThat(response.message()).contains(expectedMessagePart);
    assertThat(api.get("/user/" + existingId).json()).isEqualTo(existing);
  }

  @Test
  void invalidUtf8Is400() {
    byte[] body = {'{', '"', 'u', 's', 'e', 'r', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    Response response = api.request("POST", "/user", body, "content-type", "application/json");
    assertError(response, 400);
  }

  @Test
  void overlongUtf8Is400NotTheCharacterItSmuggles() {
    // C0 AF is an overlong '/': a lenient decoder would store "a/b".
    byte[] body = {'{', '"', 'u', 's', 'e', 'r', 'n', 'a', 'm', 'e', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0xAF, 'b', '"', '}'};
    Response response = api.request("POST", "/user", body, "content-type", "application/json");
    assertError(response, 400);
    assertThat(response.message()).contains("UTF-8");
  }

  @Test
  void nullOptionalFieldsAndLimitsAreAccepted() {
    String username = "u".repeat(255) + "😀"; // 256 code points, 257 UTF-16 units
    String body = new JsonObject().put("username", username).putNull("firstName").put("lastName", "l".repeat(256))
        .put("email", "x@localhost").put("phone", "1".repeat(32)).encode();
    Response response = api.post("/user", body);
    assertThat(response.status()).as(response.toString()).isEqualTo(200);
    JsonObject stored = api.get("/user/" + response.json().getLong("id")).json();
    assertThat(stored.getString("username")).isEqualTo(username);
    assertThat(stored.getString("firstName")).isNull();
  }
}
