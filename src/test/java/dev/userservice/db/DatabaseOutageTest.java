package dev.userservice.db;

import static dev.userservice.support.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.RestartablePostgres;
import dev.userservice.support.TestService;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database goes away under a running service and comes back; the service follows by itself. */
class DatabaseOutageTest {
  private static final long REQUEST_TIMEOUT_MS = 2000;

  @Test
  void startsWhileTheDatabaseIsDownAndBecomesReadyWhenItComes() throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres()) {
      postgres.stop();
      try (TestService service = TestService.start(postgres.settings(), Map.of("DB_CONNECT_TIMEOUT_MS", "500"))) {
        ApiClient api = service.api;
        assertThat(api.get("/health").status()).isEqualTo(200);
        assertThat(api.get("/ready").status()).isEqualTo(503);
        assertError(api.get("/user/1"), 503);

        postgres.start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (api.get("/ready").status() != 200 && System.currentTimeMillis() < deadline) {
          Thread.sleep(200);
        }
        assertThat(api.get("/ready").status()).isEqualTo(200);
        assertThat(api.get("/user/1").status()).isEqualTo(200);
      }
    }
  }

  @Test
  void failsFastWhileTheDatabaseIsDownAndRecoversWithoutRestart() throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres();
         TestService service = TestService.start(postgres.settings(),
             Map.of("REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS), "DB_CONNECT_TIMEOUT_MS", "1000"))) {
      ApiClient api = service.api;
      long id = api.createUser("outage");
      assertThat(api.get("/ready").status()).isEqualTo(200);

      postgres.stop();

      for (String call : new String[] {"get", "create", "update", "delete", "get"}) {
        long started = System.nanoTime();
        Response response = switch (call) {
          case "get" -> api.get("/user/" + id);
          case "create" -> api.post("/user", new JsonObject().put("username", ApiClient.uniqueName("down")).encode());
          case "update" -> api.put("/user/" + id, new JsonObject().put("username", ApiClient.uniqueName("down")).encode());
          default -> api.delete("/user/" + id);
        };
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertError(response, 503);
        assertThat(response.message()).isEqualTo("service unavailable");
        assertThat(response.header("retry-after")).isNotNull();
        assertThat(millis).as("answered within the request timeout").isLessThan(REQUEST_TIMEOUT_MS + 1000);
      }
      Response ready = api.get("/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json()).isEqualTo(new JsonObject().put("status", "UNAVAILABLE"));
      assertThat(api.get("/health").status()).as("liveness does not depend on the database").isEqualTo(200);

      postgres.start();

      long deadline = System.currentTimeMillis() + 15_000;
      int status = 0;
      while (System.currentTimeMillis() < deadline && status != 200) {
        status = api.get("/user/" + id).status();
        if (status != 200) {
          Thread.sleep(200);
        }
      }
      assertThat(status).as("recovered after the database came back").isEqualTo(200);
      assertThat(api.get("/ready").status()).isEqualTo(200);
      assertThat(api.createUser("after-outage")).isPositive();
    }
  }
}
