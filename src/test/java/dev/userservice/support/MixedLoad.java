package dev.userservice.support;

import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A steady load of user journeys (create, read, update, read, delete half of them) from a
 * number of clients over real HTTP, bounded by {@link #stop()}. Every response is checked
 * (status and body) and timed; every write goes into a {@link WriteLedger}.
 */
public final class MixedLoad implements AutoCloseable {
  /** One request: when it was sent and answered (System.nanoTime), what it was, whether it was right. */
  public record Sample(long sentNanos, long answeredNanos, String operation, int status, boolean ok) {
    public long millis() {
      return (answeredNanos - sentNanos) / 1_000_000;
    }
  }

  /** Connection refused, reset or timed out: no HTTP status at all. */
  public static final int NO_ANSWER = -1;

  private final ApiClient api;
  private final WriteLedger ledger;
  private final Duration pause;
  private final BooleanSupplier sendWhile;
  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService clients;
  private final List<Future<?>> clientTasks = new ArrayList<>();
  private final boolean keyedCreates;
  /** Creates whose outcome the client does not know yet; each keeps its Idempotency-Key for a later retry. */
  private final ConcurrentLinkedQueue<PendingCreate> pendingCreates = new ConcurrentLinkedQueue<>();
  private final AtomicLong retriedCreates = new AtomicLong();
  private final AtomicLong replayedCreates = new AtomicLong();

  private record PendingCreate(String key, String username, WriteLedger.Row row) {
  }

  private MixedLoad(ApiClient api, WriteLedger ledger, int clients, Duration pause, BooleanSupplier sendWhile,
      boolean keyedCreates) {
    OpenApiValidation.load(); // before the clients start, not inside the load
    this.keyedCreates = keyedCreates;
    this.api = api.forLoad();
    this.ledger = ledger;
    this.pause = pause;
    this.sendWhile = sendWhile;
    this.clients = Executors.newFixedThreadPool(clients, Thread.ofVirtual().name("load-", 0).factory());
    for (int c = 0; c < clients; c++) {
      long seed = c;
      clientTasks.add(this.clients.submit(() -> run(new Random(seed))));
    }
  }

  /** Starts {@code clients} clients, each waiting {@code pause} between its requests. */
  public static MixedLoad start(ApiClient api, WriteLedger ledger, int clients, Duration pause) {
    return new MixedLoad(api, ledger, clients, pause, () -> true, true);
  }

  /**
   * Creates without an Idempotency-Key, each sent once, as a 1.0 client does: for measuring the
   * pipelined query pool alone (a keyed create takes a transaction on a pool of its own).
   */
  public static MixedLoad startWithPlainCreates(ApiClient api, WriteLedger ledger, int clients, Duration pause) {
    return new MixedLoad(api, ledger, clients, pause, () -> true, false);
  }

  /**
   * Clients that behave like a load balancer's: they send only while {@code inRotation} says so
   * (for example while /ready answers 200), and stop for good once it says no.
   */
  public static MixedLoad startWhile(ApiClient api, WriteLedger ledger, int clients, Duration pause,
      BooleanSupplier inRotation) {
    return new MixedLoad(api, ledger, clients, pause, inRotation, true);
  }

  /** Stops sending and waits for the requests in flight to be answered. */
  public List<Sample> stop() throws InterruptedException {
    running.set(false);
    clients.shutdown();
    if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("load clients did not stop within 60 s");
    }
    for (var task : clientTasks) {
      try {
        task.get(); // a client that died of an assertion (an answer off the document) fails the test
      } catch (ExecutionException e) {
        throw new AssertionError("a load client failed", e.getCause());
      }
    }
    return samples();
  }

  /** Lets the load run for {@code duration}, then stops it. */
  public List<Sample> stopAfter(Duration duration) throws InterruptedException {
    Thread.sleep(duration);
    return stop();
  }

  public List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  @Override
  public void close() throws InterruptedException {
    if (running.get()) {
      stop();
    }
  }

  private void run(Random random) {
    while (running.get() && sendWhile.getAsBoolean()) {
      journey(random);
    }
  }

  /**
   * One user's life. The create carries an Idempotency-Key and is repeated after a 503, a 409
   * "in progress" or no answer at all, as a careful client would; any other unexpected answer
   * ends the journey with its outcome unknown.
   */
  private void journey(Random random) {
    String username = ledger.prefix() + UUID.randomUUID();
    WriteLedger.Row created = randomRow(username, random);
    String key = UUID.randomUUID().toString();
    Optional<JsonObject> answer = createUntilAnswered(api, key, created, this::sending, false);
    if (answer.isEmpty()) {
      ledger.unknown(username, Optional.empty(), Optional.of(created));
      pendingCreates.add(new PendingCreate(key, username, created));
      return;
    }
    long id = answer.get().getLong("id");
    ledger.acknowledgedCreate(username, created, id);
    if (!read(id, created) || !sending()) {
      return;
    }
    WriteLedger.Row updated = randomRow(username, random);
    if (call("update", () -> api.put("/user/" + id, json(updated)), "user updated").isEmpty()) {
      ledger.unknown(username, Optional.of(created), Optional.of(updated));
      return;
    }
    ledger.acknowledged(username, Optional.of(updated));
    if (!read(id, updated) || !sending() || random.nextBoolean()) {
      return;
    }
    if (call("delete", () -> api.delete("/user/" + id), "user deleted").isEmpty()) {
      ledger.unknown(username, Optional.of(updated), Optional.empty());
      return;
    }
    ledger.acknowledged(username, Optional.empty());
  }

  /** Sends a keyed create, and again with the same key after a 503, a 409 in progress or no answer. */
  private Optional<JsonObject> createUntilAnswered(ApiClient client, String key, WriteLedger.Row row,
      BooleanSupplier mayRetry, boolean sentBefore) {
    byte[] body = json(row).getBytes(StandardCharsets.UTF_8);
    String[] headers = keyedCreates ? new String[] {"content-type", ApiClient.JSON, "Idempotency-Key", key}
        : new String[] {"content-type", ApiClient.JSON};
    for (int attempt = 0; ; attempt++) {
      if (attempt > 0 || sentBefore) {
        retriedCreates.incrementAndGet();
      }
      long sent = System.nanoTime();
      int status = NO_ANSWER;
      JsonObject ok = null;
      try {
        Response response = client.request("POST", "/user", body, headers);
        status = response.status();
        if (status == 200 && "user created".equals(response.json().getString("message"))) {
          ok = response.json();
          if ("true".equals(response.header("idempotent-replayed"))) {
            replayedCreates.incrementAndGet();
          }
        }
      } catch (UncheckedIOException | IllegalStateException noAnswer) {
        // the outcome is unknown: the same key makes the retry safe
      }
      samples.add(new Sample(sent, System.nanoTime(), "create", status, ok != null));
      if (ok != null) {
        pause();
        return Optional.of(ok);
      }
      // Without a key a repeat could create the user twice: a plain create is sent once.
      boolean retryable = keyedCreates && (status == 503 || status == 409 || status == NO_ANSWER);
      if (!retryable || !mayRetry.getAsBoolean()) {
        return Optional.empty();
      }
      sleep(status == NO_ANSWER ? Duration.ofMillis(200) : Duration.ofSeconds(1)); // the service's Retry-After
    }
  }

  /**
   * Repeats every create whose outcome is still unknown, with its own key, against {@code client}
   * (for example a restarted service) until each is answered or {@code within} runs out.
   *
   * @return how many are still unknown
   */
  public int settlePendingCreates(ApiClient other, Duration within) {
    if (!keyedCreates) {
      throw new IllegalStateException("only creates sent with a key can be repeated safely");
    }
    ApiClient client = other.forLoad();
    long deadline = System.nanoTime() + within.toNanos();
    int unresolved = 0;
    PendingCreate pending;
    while ((pending = pendingCreates.poll()) != null) {
      Optional<JsonObject> answer = createUntilAnswered(client, pending.key(), pending.row(),
          () -> System.nanoTime() < deadline, true);
      if (answer.isPresent()) {
        ledger.acknowledgedCreate(pending.username(), pending.row(), answer.get().getLong("id"));
      } else {
        unresolved++;
      }
    }
    return unresolved;
  }

  /** Creates sent again after a 503, a 409 in progress or no answer. */
  public long retriedCreates() {
    return retriedCreates.get();
  }

  /** Retries answered with the kept answer of an earlier attempt that had created the user. */
  public long replayedCreates() {
    return replayedCreates.get();
  }

  public int pendingCreates() {
    return pendingCreates.size();
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean sending() {
    return running.get() && sendWhile.getAsBoolean();
  }

  private boolean read(long id, WriteLedger.Row expected) {
    long sent = System.nanoTime();
    int status = NO_ANSWER;
    boolean ok = false;
    try {
      Response response = api.get("/user/" + id);
      status = response.status();
      ok = status == 200 && response.json().equals(json(expected, id));
    } catch (UncheckedIOException | IllegalStateException noAnswer) {
      // counted below as a failed request
    }
    samples.add(new Sample(sent, System.nanoTime(), "read", status, ok));
    pause();
    return ok;
  }

  /** Sends a write; returns its JSON answer when it was the 200 with the expected message. */
  private Optional<JsonObject> call(String operation, Supplier<Response> request, String message) {
    long sent = System.nanoTime();
    int status = NO_ANSWER;
    JsonObject body = null;
    try {
      Response response = request.get();
      status = response.status();
      if (status == 200 && message.equals(response.json().getString("message"))) {
        body = response.json();
      }
    } catch (UncheckedIOException | IllegalStateException noAnswer) {
      // the outcome of this write is unknown to the client
    }
    samples.add(new Sample(sent, System.nanoTime(), operation, status, body != null));
    pause();
    return Optional.ofNullable(body);
  }

  private void pause() {
    if (!pause.isZero()) {
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.set(false);
      }
    }
  }

  private static WriteLedger.Row randomRow(String username, Random random) {
    int n = random.nextInt(1_000_000);
    return new WriteLedger.Row(username,
        random.nextBoolean() ? "First" + n : null,
        "Last" + n + " \u00e9\u00e8 \ud83d\ude00",
        random.nextBoolean() ? "user" + n + "@example.com" : null,
        random.nextBoolean() ? "+1 (555) " + n : null);
  }

  private static String json(WriteLedger.Row row) {
    return new JsonObject().put("username", row.username()).put("firstName", row.firstName())
        .put("lastName", row.lastName()).put("email", row.email()).put("phone", row.phone()).encode();
  }

  private static JsonObject json(WriteLedger.Row row, long id) {
    return new JsonObject(json(row)).put("id", id);
  }

  /** Latency percentile (0..100) of the samples, in milliseconds. */
  public static double percentileMillis(List<Sample> samples, double percentile) {
    if (samples.isEmpty()) {
      return 0;
    }
    long[] nanos = samples.stream().mapToLong(s -> s.answeredNanos() - s.sentNanos()).toArray();
    Arrays.sort(nanos);
    int index = (int) Math.ceil(percentile / 100.0 * nanos.length) - 1;
    return nanos[Math.max(0, Math.min(index, nanos.length - 1))] / 1e6;
  }
}
