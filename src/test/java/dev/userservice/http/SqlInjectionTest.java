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
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * SQL injection in every field and in the id: text is stored as text (or refused by the field's
 * rules), ids are refused, nothing runs, and the schema is the same afterwards.
 */
class SqlInjectionTest {
  private static final List<String> PAYLOADS = List.of(
      "'; DROP TABLE \"user\"; --",
      "' OR '1'='1",
      "\" OR \"\"=\"",
      "1; DELETE FROM \"user\"",
      "'); UPDATE \"user\" SET username = 'owned'; --",
      "' UNION SELECT id, username, NULL, NULL, NULL, NULL FROM \"user\" --",
      "$$; SELECT pg_sleep(5); $$",
      "'||(SELECT pg_sleep(5))||'",
      "\\'; TRUNCATE \"user\"; --",
      "x'@example.com'--",
      "E'\\x27'; DROP SCHEMA public CASCADE; --");

  private final ApiClient api = SharedService.api();

  @Test
  void injectionInAnyFieldIsStoredAsTextOrRefused() {
    String schemaBefore = schema();
    long rowsBefore = count();
    int stored = 0;
    List<String> fields = List.of("username", "firstName", "lastName", "email", "phone");
    for (String payload : PAYLOADS) {
      for (String field : fields) {
        JsonObject body = new JsonObject().put("username", ApiClient.uniqueName("inject"));
        body.put(field, field.equals("username") ? payload + ApiClient.uniqueName("") : payload);
        long started = System.nanoTime();
        Response created = api.post("/user", body.encode());
        assertThat((System.nanoTime() - started) / 1_000_000).as("nothing was executed (pg_sleep)").isLessThan(4000);
        assertThat(created.status()).as(field + " = " + payload + " -> " + created).isIn(200, 400);
        if (created.status() == 200) {
          stored++;
          long id = created.json().getLong("id");
          assertThat(api.get("/user/" + id).json().getString(field)).isEqualTo(body.getString(field));
          Response updated = api.put("/user/" + id, body.encode());
          assertThat(updated.status()).isEqualTo(200);
          assertThat(api.get("/user/" + id).json().getString(field)).isEqualTo(body.getString(field));
        } else {
          assertThat(created.message()).contains("'" + field + "'");
        }
      }
      Response byId = api.get("/user/" + URLEncoder.encode(payload, StandardCharsets.UTF_8).replace("+", "%20"));
      assertThat(byId.status()).as("id " + payload).isEqualTo(400);
      assertThat(api.delete("/user/1" + URLEncoder.encode(payload, StandardCharsets.UTF_8).replace("+", "%20"))
          .status()).isEqualTo(400);
    }
    System.out.printf("SQL injection: %d payloads x 5 fields and the id: %d stored as text, the rest refused; "
        + "schema unchanged, %d rows before, %d after%n", PAYLOADS.size(), stored, rowsBefore, count());
    assertThat(stored).as("text fields take any text").isGreaterThanOrEqualTo(PAYLOADS.size() * 3);
    assertThat(schema()).as("schema intact").isEqualTo(schemaBefore);
    assertThat(count()).isEqualTo(rowsBefore + stored);
    assertThat(api.get("/user/1").status()).isIn(200, 404);
  }

  /** Tables, columns and types of the public schema, as one string to compare. */
  private static String schema() {
    return Sql.rows(TestDatabase.settings(), "SELECT table_name || '.' || column_name || ':' || data_type || ':' "
        + "|| coalesce(character_maximum_length, 0) FROM information_schema.columns WHERE table_schema = 'public' "
        + "ORDER BY 1").stream().map(List::getFirst).collect(Collectors.joining("\n"));
  }

  private static long count() {
    return Long.parseLong(Sql.value(TestDatabase.settings(), "SELECT count(*) FROM \"user\""));
  }
}
