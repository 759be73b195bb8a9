package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.SharedService;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Many clients at once: ids stay distinct and the unique username holds, without a 500. */
class ConcurrencyTest {
  private static final ApiClient api = SharedService.api();

  @Test
  void parallelCreatesGetDistinctIds() throws Exception {
    List<Response> responses = runAtOnce(200, i -> api.post("/user",
        new JsonObject().put("username", ApiClient.uniqueName("parallel-" + i)).encode()));
    assertThat(responses).allSatisfy(r -> assertThat(r.status()).as(r.toString()).isEqualTo(200));
    List<Long> ids = responses.stream().map(r -> r.json().getLong("id")).toList();
    assertThat(ids).doesNotHaveDuplicates().doesNotContain(1L);
    for (long id : ids.subList(0, 10)) {
      assertThat(api.get("/user/" + id).status()).isEqualTo(200);
    }
  }

  @Test
  void parallelCreatesOfOneUsernameGiveOneSuccess() throws Exception {
    String username = ApiClient.uniqueName("contended");
    String body = new JsonObject().put("username", username).encode();
    List<Response> responses = runAtOnce(50, i -> api.post("/user", body));
    assertThat(responses.stream().filter(r -> r.status() == 200)).hasSize(1);
    assertThat(responses.stream().filter(r -> r.status() == 409)).hasSize(49);
    assertThat(responses).allSatisfy(r -> assertThat(r.status()).isIn(200, 409));
  }

  @Test
  void parallelRenamesToOneUsernameGiveOneSuccess() throws Exception {
    String username = ApiClient.uniqueName("rename-target");
    List<Long> ids = IntStream.range(0, 20).mapToObj(i -> api.createUser("rename")).toList();
    List<Response> responses = runAtOnce(ids.size(), i -> api.put("/user/" + ids.get(i),
        new JsonObject().put("username", username).encode()));
    assertThat(responses.stream().filter(r -> r.status() == 200)).hasSize(1);
    assertThat(responses.stream().filter(r -> r.status() == 409)).hasSize(ids.size() - 1);
  }

  interface Call {
    Response run(int index);
  }

  /** Starts every call at the same moment from its own thread, and collects the answers. */
  private static List<Response> runAtOnce(int count, Call call) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService threads = Executors.newFixedThreadPool(Math.min(count, 64))) {
      List<Future<Response>> futures = IntStream.range(0, count)
          .mapToObj(i -> threads.submit((Callable<Response>) () -> {
            go.await();
            return call.run(i);
          }))
          .toList();
      go.countDown();
      return futures.stream().map(f -> {
        try {
          return f.get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).toList();
    }
  }
}
