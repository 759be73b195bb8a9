package dev.userservice.db;

import static dev.userservice.support.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The database answers nothing for a while (a row lock held by another session): requests get
 * the contract's 503 with Retry-After within the request timeout instead of waiting without end,
 * and the service is fine once the lock goes.
 */
class RequestTimeoutTest {
  private static final long TIMEOUT_MS = 1500;

  @Test
  void aStuckDatabaseGives503WithinTheTimeoutAndNothingHangs() throws Exception {
    var db = TestDatabase.createEmpty("stuck");
    Migrations.migrate(db, 0);
    try (TestService service = TestService.start(db, Map.of("REQUEST_TIMEOUT_MS", Long.toString(TIMEOUT_MS),
        "DB_POOL_SIZE", "1"));
         Connection blocker = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      ApiClient api = service.api;
      long id = api.createUser("stuck");

      blocker.setAutoCommit(false);
      try (Statement s = blocker.createStatement()) {
        s.execute("SELECT * FROM \"user\" WHERE id = " + id + " FOR UPDATE");
      }

      // The update waits for the lock; the reads queued behind it on the same connection wait too.
      List<CompletableFuture<TimedResponse>> calls = new ArrayList<>();
      calls.add(CompletableFuture.supplyAsync(() -> timed(() -> api.put("/user/" + id,
          new JsonObject().put("username", ApiClient.uniqueName("blocked")).encode()))));
      for (int i = 0; i < 6; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> timed(() -> api.get("/user/" + id))));
      }
      List<TimedResponse> answers = calls.stream().map(CompletableFuture::join).toList();
      assertThat(answers).anySatisfy(a -> assertThat(a.response().status()).isEqualTo(503));
      for (TimedResponse answer : answers) {
        assertThat(answer.millis()).as("answered within the request timeout").isLessThan(TIMEOUT_MS + 1500);
        if (answer.response().status() == 503) {
          assertError(answer.response(), 503);
          assertThat(answer.response().message()).isEqualTo("service unavailable");
          assertThat(answer.response().header("retry-after")).isNotNull();
        } else {
          assertThat(answer.response().status()).as(answer.response().toString()).isEqualTo(200);
        }
      }

      blocker.rollback();
      long deadline = System.currentTimeMillis() + 10_000;
      while (api.get("/user/" + id).status() != 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(api.get("/user/" + id).status()).isEqualTo(200);
      assertThat(api.createUser("after-stuck")).isPositive();
    }
  }

  private record TimedResponse(Response response, long millis) {
  }

  private static TimedResponse timed(java.util.function.Supplier<Response> call) {
    long started = System.nanoTime();
    Response response = call.get();
    return new TimedResponse(response, (System.nanoTime() - started) / 1_000_000);
  }
}
