package dev.userservice.idempotency;

import static dev.userservice.support.ApiAssertions.assertBadRequest;
import static dev.userservice.support.ApiAssertions.assertJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Response;
import dev.userservice.support.RestartablePostgres;
import dev.userservice.support.Sql;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** POST /user with an Idempotency-Key, as API 1.1 gives it, checked against the rows in PostgreSQL. */
class IdempotentCreateTest {
  private static TestService service;
  private static ApiClient api;
  private static final DbSettings db = TestDatabase.settings();

  @BeforeAll
  static void start() {
    service = TestService.start();
    api = service.api;
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void aReplayGetsTheSameIdAndCreatesNothing() {
    String key = UUID.randomUUID().toString();
    String username = ApiClient.uniqueName("replay");
    Response first = create(api, key, user(username));
    Response again = create(api, key, user(username));

    assertJson(first, 200, new JsonObject().put("message", "user created").put("id", first.json().getLong("id")));
    assertThat(first.header("idempotent-replayed")).isNull();
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.header("idempotent-replayed")).isEqualTo("true");
    assertThat(usersNamed(username)).isEqualTo(1);
  }

  @Test
  void theSameUserWrittenDifferentlyIsTheSameRequest() {
    String key = UUID.randomUUID().toString();
    String username = ApiClient.uniqueName("same");
    Response first = create(api, key, "{\"username\":\"" + username + "\",\"email\":null}");
    Response again = create(api, key, "{ \"email\" : null,\n \"username\" : \"" + username + "\" }");
    assertThat(again.header("idempotent-replayed")).isEqualTo("true");
    assertThat(again.json().getLong("id")).isEqualTo(first.json().getLong("id"));
  }

  @Test
  void theSameKeyWithAnotherBodyIsRefused() {
    String key = UUID.randomUUID().toString();
    String username = ApiClient.uniqueName("first-body");
    create(api, key, user(username));
    assertJson(create(api, key, user(username + "-other")), 422,
        new JsonObject().put("message", "Idempotency-Key was already used for a different request"));
    assertJson(create(api, key, new JsonObject().put("username", username).put("phone", "1").encode()), 422,
        new JsonObject().put("message", "Idempotency-Key was already used for a different request"));
    assertThat(usersNamed(username + "-other")).isZero();
  }

  @Test
  void aTakenUsernameIsAnAnswerKeptLikeAnyOther() {
    String username = ApiClient.uniqueName("taken");
    api.post("/user", user(username));
    String key = UUID.randomUUID().toString();
    Response first = create(api, key, user(username));
    Response again = create(api, key, user(username));
    assertThat(first.status()).isEqualTo(409);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.header("idempotent-replayed")).isEqualTo("true");
    assertThat(again.message()).isEqualTo("username already taken");
  }

  @Test
  void withoutAKeyCreatesBehaveAsInOnePointZero() {
    String username = ApiClient.uniqueName("no-key");
    assertThat(api.post("/user", user(username)).status()).isEqualTo(200);
    assertThat(api.post("/user", user(username)).status()).isEqualTo(409);
  }

  @ParameterizedTest
  @ValueSource(strings = {"with space", "tab\there", "256"})
  void aMalformedKeyIsABadRequestNamingTheHeader(String key) {
    String value = key.equals("256") ? "k".repeat(256) : key;
    String username = ApiClient.uniqueName("bad-key");
    assertBadRequest(create(api, value, user(username)), "Idempotency-Key");
    assertThat(usersNamed(username)).isZero();
  }

  @Test
  void theLongestKeyIsFine() {
    String key = UUID.randomUUID() + "~!#$%&'*+-.^_`|" + "k".repeat(204);
    assertThat(key).hasSize(255);
    assertThat(create(api, key, user(ApiClient.uniqueName("long-key"))).status()).isEqualTo(200);
  }

  /** Sent over a raw socket: Java's HTTP client would turn the byte into '?'. */
  @Test
  void aKeyWithANonAsciiByteIsABadRequest() throws Exception {
    String username = ApiClient.uniqueName("non-ascii-key");
    byte[] body = user(username).getBytes(StandardCharsets.UTF_8);
    var uri = java.net.URI.create(api.base());
    try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      var out = socket.getOutputStream();
      out.write(("POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
          + "Content-Length: " + body.length + "\r\nIdempotency-Key: caf").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {(byte) 0xC3, (byte) 0xA9, '\r', '\n', '\r', '\n'});
      out.write(body);
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400").contains("Idempotency-Key");
    }
    assertThat(usersNamed(username)).isZero();
  }

  /** Fifty clients send the same create with the same key at the same moment. */
  @Test
  void fiftyConcurrentRequestsWithOneKeyCreateOneUser() throws Exception {
    String key = UUID.randomUUID().toString();
    String username = ApiClient.uniqueName("stampede");
    var start = new CountDownLatch(1);
    List<Future<Response>> answers = new ArrayList<>();
    try (var clients = Executors.newFixedThreadPool(50)) {
      for (int i = 0; i < 50; i++) {
        answers.add(clients.submit(() -> {
          start.await();
          return create(api, key, user(username));
        }));
      }
      start.countDown();
      for (Future<Response> future : answers) {
        future.get();
      }
      int created = 0;
      int replayed = 0;
      int inProgress = 0;
      long id = Long.parseLong(Sql.value(db, "SELECT id FROM \"user\" WHERE username = ?", username));
      for (Future<Response> future : answers) {
        Response answer = future.get();
        if (answer.status() == 409) {
          assertThat(answer.message()).isEqualTo("a request with this Idempotency-Key is in progress");
          assertThat(answer.header("retry-after")).isNotBlank();
          inProgress++;
        } else {
          assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
          assertThat(answer.json().getLong("id")).isEqualTo(id);
          if ("true".equals(answer.header("idempotent-replayed"))) {
            replayed++;
          } else {
            created++;
          }
        }
      }
      System.out.printf("one key, 50 concurrent creates: %d created, %d replayed, %d told 409 in progress; "
          + "users in the database: %d%n", created, replayed, inProgress, usersNamed(username));
      assertThat(created).isEqualTo(1);
      assertThat(usersNamed(username)).isEqualTo(1);
      // A 409 asks the client to come back: then it gets the kept answer.
      Response retried = create(api, key, user(username));
      assertThat(retried.json().getLong("id")).isEqualTo(id);
    }
  }

  @Test
  void twoInstancesOnOneDatabaseShareTheKeys() {
    try (TestService other = TestService.start()) {
      String key = UUID.randomUUID().toString();
      String username = ApiClient.uniqueName("shared");
      Response first = create(api, key, user(username));
      Response again = create(other.api, key, user(username));
      assertThat(again.header("idempotent-replayed")).isEqualTo("true");
      assertThat(again.json().getLong("id")).isEqualTo(first.json().getLong("id"));
      assertThat(usersNamed(username)).isEqualTo(1);
    }
  }

  @Test
  void aKeySurvivesARestartAndA503IsNotKept() throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres()) {
      String key = UUID.randomUUID().toString();
      String kept = UUID.randomUUID().toString();
      String username = ApiClient.uniqueName("restart");
      long keptId;
      Map<String, String> fast = Map.of("DB_CONNECT_TIMEOUT_MS", "500", "REQUEST_TIMEOUT_MS", "2000");
      try (TestService first = TestService.start(postgres.settings(), fast)) {
        keptId = create(first.api, kept, user(username + "-kept")).json().getLong("id");
        postgres.stop();
        Response unavailable = create(first.api, key, user(username));
        assertThat(unavailable.status()).isEqualTo(503);
        assertThat(unavailable.header("retry-after")).isNotBlank();
        postgres.start();
      }
      try (TestService restarted = TestService.start(postgres.settings(), fast)) {
        Response retried = create(restarted.api, key, user(username));
        assertThat(retried.status()).as("the 503 was not kept: the retry is carried out").isEqualTo(200);
        assertThat(retried.header("idempotent-replayed")).isNull();
        Response replay = create(restarted.api, kept, user(username + "-kept"));
        assertThat(replay.header("idempotent-replayed")).isEqualTo("true");
        assertThat(replay.json().getLong("id")).isEqualTo(keptId);
        assertThat(Sql.value(postgres.settings(), "SELECT count(*) FROM \"user\" WHERE starts_with(username, ?)",
            username)).isEqualTo("2");
      }
    }
  }

  @Test
  void expiredKeysAreRemovedByTheServiceAndCanBeUsedAgain() throws Exception {
    try (TestService shortLived = TestService.start(db, Map.of("IDEMPOTENCY_TTL", "PT1S",
        "IDEMPOTENCY_CLEANUP_MS", "200"))) {
      String key = UUID.randomUUID().toString();
      String username = ApiClient.uniqueName("expiring");
      create(shortLived.api, key, user(username));
      assertThat(keysNamed(key)).isEqualTo(1);
      long deadline = System.currentTimeMillis() + 10_000;
      while (keysNamed(key) > 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(keysNamed(key)).as("removed by the service's timer").isZero();
      Response reused = create(shortLived.api, key, user(username + "-later"));
      assertThat(reused.status()).isEqualTo(200);
      assertThat(reused.header("idempotent-replayed")).isNull();
    }
  }

  private static Response create(ApiClient client, String key, String json) {
    return client.request("POST", "/user", json.getBytes(StandardCharsets.UTF_8),
        "content-type", "application/json", "Idempotency-Key", key);
  }

  private static String user(String username) {
    return new JsonObject().put("username", username).put("lastName", "Keyed").encode();
  }

  private static long usersNamed(String username) {
    return Long.parseLong(Sql.value(db, "SELECT count(*) FROM \"user\" WHERE username = ?", username));
  }

  private static long keysNamed(String key) {
    return Long.parseLong(Sql.value(db, "SELECT count(*) FROM idempotency_key WHERE key = ?", key));
  }
}
