package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Text goes in and comes out byte for byte: no trimming, normalising, escaping or SQL. */
class UnicodeRoundTripTest {
  private static final ApiClient api = SharedService.api();

  @ParameterizedTest
  @ValueSource(strings = {
      "😀👩‍👩‍👧‍👦🏳️‍🌈",                // emoji, ZWJ sequences
      "שלום עולם مرحبا",                // right-to-left
      "\"quoted\" 'single' `back`",
      "back\\slash \\n not a newline",
      "'; DROP TABLE \"user\"; --",
      "Robert'); DELETE FROM \"user\" WHERE ('1'='1",
      "  leading and trailing spaces  ",
      "line\nbreak\ttab\r",
      "<script>alert(1)</script> &amp;",
      "e\u0301 vs é",                     // decomposed and composed forms stay distinct
      "\u200b\u200d\ufeff",               // invisible characters, but not blank
      "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎 CJK 漢字"})
  void textRoundTripsExactly(String text) {
    String username = text + " " + ApiClient.uniqueName("");
    JsonObject sent = new JsonObject().put("username", username).put("firstName", text).put("lastName", text);
    Response created = api.post("/user", sent.encode());
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
    long id = created.json().getLong("id");

    JsonObject stored = api.get("/user/" + id).json();
    assertThat(stored.getString("username")).isEqualTo(username);
    assertThat(stored.getString("firstName")).isEqualTo(text);
    assertThat(stored.getString("lastName")).isEqualTo(text);

    // And the table is still there for the next one.
    assertThat(api.get("/user/1").status()).isIn(200, 404);
  }
}
