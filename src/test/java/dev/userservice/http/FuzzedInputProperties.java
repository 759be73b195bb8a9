package dev.userservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import dev.userservice.support.Sql;
import dev.userservice.support.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated hostile input (jqwik): random, truncated, deeply nested and wrongly typed bodies,
 * huge numbers, duplicate keys, invalid UTF-8, and any text as an id. The answer is always a 4xx
 * with a JSON message or a success that stored exactly what was sent; never a 5xx, never a row
 * for a refused body.
 */
class FuzzedInputProperties {
  private static final List<String> FIELDS = List.of("username", "firstName", "lastName", "email", "phone");
  private static final List<String> WRONG_VALUES = List.of("0", "-1", "1.5", "1e400", "-1e400",
      "123456789012345678901234567890123456789", "true", "false", "null", "[]", "{}", "[\"a\"]",
      "{\"a\":\"b\"}", "\"\"", "\"   \"", "\"\\u0000\"", "\"\\ud800\"", "[".repeat(10_000) + "]".repeat(10_000));
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** A body to send, and the username it carries, so the database can be searched for it. */
  record Body(String kind, byte[] bytes, String username) {
    @Override
    public String toString() {
      String text = new String(bytes, StandardCharsets.UTF_8);
      return kind + ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
  }

  private final ApiClient api = SharedService.api();

  @Property(tries = 400)
  void anyBodyOnCreateIsRefusedWithA4xxOrStoredExactly(@ForAll("bodies") Body body) {
    Response response = api.request("POST", "/user", body.bytes(), "content-type", "application/json");
    Statistics.collect(body.kind().replaceAll(" for .*| [a-zA-Z]+$", ""), response.status());
    assertAnswered(response, body);
    if (response.status() == 200) {
      assertStoredAsSent(response.json().getLong("id"), body);
    } else if (!body.username().contains("\u0000")) { // PostgreSQL could not hold it anyway
      assertThat(rowsNamed(body.username())).as("a refused create stores nothing").isZero();
    }
  }

  @Property(tries = 200)
  void anyBodyOnUpdateIsRefusedAndChangesNothingOrIsStoredExactly(@ForAll("bodies") Body body) {
    long id = api.createUser("fuzz-target");
    JsonObject before = api.get("/user/" + id).json();
    Response response = api.request("PUT", "/user/" + id, body.bytes(), "content-type", "application/json");
    assertAnswered(response, body);
    if (response.status() == 200) {
      assertStoredAsSent(id, body);
    } else {
      assertThat(api.get("/user/" + id).json()).as("a refused update changes nothing").isEqualTo(before);
    }
  }

  @Property(tries = 300)
  void anyTextAsAnIdIsA400Or404OrTheUser(@ForAll("ids") String id) {
    Response get = api.get("/user/" + encode(id));
    assertThat(get.status()).as("GET /user/" + id + " -> " + get).isIn(200, 400, 404);
    assertThat(get.json()).as("a JSON body").isNotNull();
    // Writes go to ids that cannot be numbers, so they never touch another test's users.
    String notANumber = "x" + id;
    Response put = api.put("/user/" + encode(notANumber), "{\"username\":\"fuzz-id\"}");
    Response delete = api.delete("/user/" + encode(notANumber));
    for (Response response : List.of(put, delete)) {
      assertThat(response.status()).as(notANumber + " -> " + response).isIn(400, 404);
      assertThat(response.message()).isNotBlank();
    }
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void assertAnswered(Response response, Body body) {
    assertThat(response.status()).as(body + " -> " + response).isIn(200, 400, 409, 413);
    assertThat(response.header("content-type")).startsWith("application/json");
    JsonObject json = response.json();
    assertThat(json.getString("message")).as("a message that says what was wrong").isNotBlank();
    assertThat(response.body()).doesNotContain("Exception", "at dev.", "SELECT", "INSERT");
  }

  private void assertStoredAsSent(long id, Body body) {
    JsonObject sent = new JsonObject(new String(body.bytes(), StandardCharsets.UTF_8));
    JsonObject stored = api.get("/user/" + id).json();
    assertThat(stored.getLong("id")).isEqualTo(id);
    for (String field : FIELDS) {
      assertThat(stored.getValue(field)).as(field + " of " + body).isEqualTo(sent.getValue(field));
    }
  }

  private static long rowsNamed(String username) {
    return Long.parseLong(Sql.value(TestDatabase.settings(), "SELECT count(*) FROM \"user\" WHERE username = ?", username));
  }

  @Provide
  Arbitrary<Body> bodies() {
    return Arbitraries.oneOf(valid(), wrongType(), truncated(), duplicateKey(), invalidUtf8(), randomBytes(),
        unknownField());
  }

  /** Mostly-plausible users: any Unicode text, lengths around the limits, nulls, and valid values often enough. */
  private Arbitrary<JsonObject> user() {
    Arbitrary<String> text = Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(300),
        Arbitraries.strings().all().excludeChars('\u0000').ofMaxLength(260),
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40),
        Arbitraries.of("'; DROP TABLE \"user\"; --", "😀", "a@b", "+1 (555) 010-0001", "<script>"));
    Arbitrary<String> email = Arbitraries.oneOf(text, Arbitraries.just(null), Arbitraries.just(null),
        Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
            Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20)).as((local, domain) -> local + "@" + domain));
    Arbitrary<String> phone = Arbitraries.oneOf(text, Arbitraries.just(null), Arbitraries.just(null),
        Arbitraries.strings().withChars("0123456789 +-()").ofMinLength(1).ofMaxLength(32)
            .filter(p -> p.chars().anyMatch(Character::isDigit)));
    Arbitrary<String> plain = Arbitraries.strings().alpha().numeric().withChars(" '-.,éß中").ofMaxLength(60);
    Arbitrary<String> name = Arbitraries.frequencyOf(Tuple.of(1, text), Tuple.of(1, Arbitraries.just(null)),
        Tuple.of(4, plain));
    Arbitrary<String> usernames = Arbitraries.frequencyOf(Tuple.of(1, text), Tuple.of(2, plain));
    return Combinators.combine(usernames, name, name, email, phone)
        .as((username, first, last, mail, tel) -> new JsonObject()
            .put("username", "fz" + SEQUENCE.incrementAndGet() + username)
            .put("firstName", first).put("lastName", last).put("email", mail).put("phone", tel));
  }

  private Arbitrary<Body> valid() {
    return user().map(u -> body("plausible", u.encode(), u));
  }

  private Arbitrary<Body> wrongType() {
    return Combinators.combine(user(), Arbitraries.of(FIELDS), Arbitraries.of(WRONG_VALUES))
        .as((u, field, value) -> {
          String json = u.copy().put(field, "\u0001MARK\u0001").encode()
              .replace("\"\\u0001MARK\\u0001\"", value);
          return body("wrong type for " + field, json, u);
        });
  }

  private Arbitrary<Body> truncated() {
    return Combinators.combine(user(), Arbitraries.doubles().between(0, 1))
        .as((u, cut) -> {
          String json = u.encode();
          return body("truncated", json.substring(0, (int) (cut * (json.length() - 1))), u);
        });
  }

  private Arbitrary<Body> duplicateKey() {
    return Combinators.combine(user(), Arbitraries.of(FIELDS))
        .as((u, field) -> {
          String json = u.encode();
          String extra = ",\"" + field + "\":" + io.vertx.core.json.Json.encode(u.getValue(field)) + "}";
          return body("duplicate " + field, json.substring(0, json.length() - 1) + extra, u);
        });
  }

  private Arbitrary<Body> invalidUtf8() {
    Arbitrary<byte[]> bad = Arbitraries.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {(byte) 0xFF},
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80},
        new byte[] {(byte) 0xC0, (byte) 0xAF}, new byte[] {(byte) 0xE2, (byte) 0x82});
    return Combinators.combine(user(), bad).as((u, bytes) -> {
      byte[] json = u.encode().getBytes(StandardCharsets.UTF_8);
      int at = json.length > 16 ? 14 : json.length / 2; // inside the username's value
      byte[] out = new byte[json.length + bytes.length];
      System.arraycopy(json, 0, out, 0, at);
      System.arraycopy(bytes, 0, out, at, bytes.length);
      System.arraycopy(json, at, out, at + bytes.length, json.length - at);
      return new Body("invalid UTF-8", out, u.getString("username"));
    });
  }

  private Arbitrary<Body> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
        .map(bytes -> new Body("random bytes", bytes, "fz-random-" + Arrays.hashCode(bytes)));
  }

  private Arbitrary<Body> unknownField() {
    return Combinators.combine(user(), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12))
        .as((u, key) -> FIELDS.contains(key) ? body("plausible", u.encode(), u)
            : body("unknown field " + key, u.copy().put(key, "x").encode(), u));
  }

  private static Body body(String kind, String json, JsonObject user) {
    return new Body(kind, json.getBytes(StandardCharsets.UTF_8), user.getString("username"));
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(
        // Never empty: "/user/" is the collection, where GET is a 405.
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40),
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.of("0", "-1", "1", "9223372036854775807", "9223372036854775808", "1e3", "0x10", "007",
            " 1", "1 ", "+1", "１", "1;DROP TABLE \"user\"", "' OR '1'='1", "1/../1", "%00", "NaN", "Infinity"));
  }
}
