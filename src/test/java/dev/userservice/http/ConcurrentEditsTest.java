package dev.userservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Twenty clients edit one user at once, each reading it, adding one to a counter kept in the
 * user's lastName, and writing it back with If-Match; a client that gets 412 reads again and
 * retries. Without If-Match this loses increments; with it every write is based on the version it
 * replaced, so the counter ends at exactly the number of writes that got 200.
 */
class ConcurrentEditsTest {
  private static final ApiClient api = SharedService.api();
  private static final int CLIENTS = 20;
  private static final int WRITES_PER_CLIENT = 3;

  @Test
  void everyLoserGetsA412AndNoWinnerIsOverwritten() throws Exception {
    long id = api.createUser("contended");
    String username = api.get("/user/" + id).json().getString("username");
    api.put("/user/" + id, body(username, 0));

    var winners = new ConcurrentLinkedQueue<String>(); // the ETag each 200 answered
    var losers = new AtomicInteger();
    var start = new CountDownLatch(1);
    List<Future<?>> clients = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(CLIENTS)) {
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(pool.submit(() -> {
          start.await();
          for (int written = 0; written < WRITES_PER_CLIENT; ) {
            Response read = api.get("/user/" + id);
            int counter = Integer.parseInt(read.json().getString("lastName"));
            Response write = api.request("PUT", "/user/" + id,
                body(username, counter + 1).getBytes(StandardCharsets.UTF_8),
                "content-type", "application/json", "If-Match", read.header("etag"));
            if (write.status() == 200) {
              winners.add(write.header("etag"));
              written++;
            } else {
              assertThat(write.status()).as(write.toString()).isEqualTo(412);
              assertThat(write.message()).isEqualTo("user was changed since it was read");
              losers.incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> client : clients) {
        client.get();
      }
    }

    Response last = api.get("/user/" + id);
    int wins = CLIENTS * WRITES_PER_CLIENT;
    System.out.printf("concurrent edits: %d clients, %d writes answered 200, %d answered 412, counter %s, ETag %s%n",
        CLIENTS, winners.size(), losers.get(), last.json().getString("lastName"), last.header("etag"));
    assertThat(winners).hasSize(wins);
    assertThat(last.json().getString("lastName")).as("no increment lost").isEqualTo(Integer.toString(wins));
    // Version 2 was the reset to 0 above; each winner wrote exactly the next version.
    assertThat(winners.stream().map(tag -> Integer.parseInt(tag.replace("\"", ""))).sorted().toList())
        .isEqualTo(java.util.stream.IntStream.rangeClosed(3, wins + 2).boxed().toList());
    assertThat(last.header("etag")).isEqualTo("\"" + (wins + 2) + "\"");
    assertThat(losers.get()).as("with 20 clients on one row, some must have lost a race").isPositive();
  }

  private static String body(String username, int counter) {
    return new JsonObject().put("username", username).put("lastName", Integer.toString(counter)).encode();
  }
}
