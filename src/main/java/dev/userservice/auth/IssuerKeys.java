package dev.userservice.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import dev.userservice.logging.LogThrottle;
import dev.userservice.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's signing keys, as its OpenID configuration points to them. Fetched at start (and
 * every two seconds until the first fetch succeeds: /ready says 503 till then), every
 * OIDC_JWKS_REFRESH after that, and for a token signed by a key not held, at most once every
 * 10 s. A fetch replaces the whole set, so a key the issuer removed is dropped at the next one.
 * A fetch that fails or answers garbage leaves the keys held as they are.
 *
 * <p>Fetches run on the JDK HTTP client's threads and never block an event loop; the event
 * loops only read the set, which is swapped whole.
 */
public final class IssuerKeys {
  private static final Logger log = LoggerFactory.getLogger(IssuerKeys.class);
  static final Duration UNKNOWN_KEY_REFETCH = Duration.ofSeconds(10);
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
  private static final long RETRY_UNTIL_HELD_MS = 2000;
  private static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

  private final String issuer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private volatile JWKSet keys;
  private volatile long fetches;
  private final AtomicLong lastOnDemandNanos = new AtomicLong(System.nanoTime() - UNKNOWN_KEY_REFETCH.toNanos());
  private final AtomicReference<CompletableFuture<Void>> running = new AtomicReference<>();
  private final LogThrottle failureLog = new LogThrottle();

  private final Counter fetchedOk;
  private final Counter fetchFailed;
  private volatile double lastSuccessEpochSeconds;

  public IssuerKeys(String issuer, Metrics metrics) {
    this.issuer = stripSlash(issuer);
    this.fetchedOk = metrics.keySetFetches("ok");
    this.fetchFailed = metrics.keySetFetches("failed");
    metrics.keySetLastSuccess(() -> lastSuccessEpochSeconds);
  }

  /** Fetches now, then again every {@code refresh}; until the first fetch succeeds, every two seconds. */
  public void start(Vertx vertx, Duration refresh) {
    fetch().whenComplete((done, failure) -> {
      if (held()) {
        vertx.setPeriodic(refresh.toMillis(), timer -> fetch());
      } else {
        vertx.setTimer(RETRY_UNTIL_HELD_MS, timer -> start(vertx, refresh));
      }
    });
  }

  /** Whether a key set is held: until then no token can be checked, and /ready says 503. */
  public boolean held() {
    return keys != null;
  }

  /** The signing key with this id, or null. */
  public JWK key(String keyId) {
    JWKSet set = keys;
    if (set == null || keyId == null) {
      return null;
    }
    JWK key = set.getKeyByKeyId(keyId);
    return key != null && (key.getKeyUse() == null || key.getKeyUse() == KeyUse.SIGNATURE) ? key : null;
  }

  /** How many fetches have replaced the set: a token checked under an older one is checked again. */
  public long generation() {
    return fetches;
  }

  /**
   * For a token signed by a key not held: fetches the set again unless that was done in the
   * last 10 s. Completes when the fetch is over, or at once when none was due (false).
   */
  public CompletableFuture<Boolean> refetchForUnknownKey() {
    long last = lastOnDemandNanos.get();
    long now = System.nanoTime();
    if (now - last < UNKNOWN_KEY_REFETCH.toNanos() || !lastOnDemandNanos.compareAndSet(last, now)) {
      CompletableFuture<Void> inFlight = running.get();
      return inFlight == null ? CompletableFuture.completedFuture(false) : inFlight.handle((done, failure) -> true);
    }
    return fetch().handle((done, failure) -> true);
  }

  /** One fetch of the configuration and its key set; concurrent callers share it. Never fails. */
  private CompletableFuture<Void> fetch() {
    var mine = new CompletableFuture<Void>();
    CompletableFuture<Void> current = running.compareAndExchange(null, mine);
    if (current != null) {
      return current;
    }
    get(URI.create(issuer + "/.well-known/openid-configuration"))
        .thenCompose(configuration -> {
          JsonObject document = new JsonObject(configuration);
          if (!issuer.equals(stripSlash(document.getString("issuer")))) {
            throw new IllegalStateException("the configuration names the issuer '" + document.getString("issuer")
                + "', not OIDC_ISSUER '" + issuer + "'");
          }
          return get(URI.create(document.getString("jwks_uri")));
        })
        .thenAccept(body -> {
          JWKSet set = parse(body);
          boolean first = keys == null;
          keys = set;
          fetches++;
          fetchedOk.increment();
          lastSuccessEpochSeconds = System.currentTimeMillis() / 1000.0;
          if (first) {
            log.atInfo().addKeyValue("issuer", issuer).addKeyValue("keys", keyIds(set)).log("issuer keys loaded");
          } else {
            log.atDebug().addKeyValue("keys", keyIds(set)).log("issuer keys fetched again");
          }
        })
        .whenComplete((done, failure) -> {
          if (failure != null) {
            fetchFailed.increment();
            logFailure(failure);
          }
          running.set(null);
          mine.complete(null);
        });
    return mine;
  }

  private CompletableFuture<String> get(URI uri) {
    var request = HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT).header("accept", "application/json").GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException(uri + " answered " + response.statusCode());
      }
      if (response.body().length > MAX_DOCUMENT_BYTES) {
        throw new IllegalStateException(uri + " answered more than " + MAX_DOCUMENT_BYTES + " bytes");
      }
      return new String(response.body(), StandardCharsets.UTF_8);
    });
  }

  private static JWKSet parse(String body) {
    try {
      JWKSet set = JWKSet.parse(body).toPublicJWKSet();
      if (set.getKeys().isEmpty()) {
        throw new IllegalStateException("the key set holds no public key");
      }
      return set;
    } catch (java.text.ParseException e) {
      throw new IllegalStateException("the key set is not a JWK set: " + e.getMessage(), e);
    }
  }

  /** At most one line a second: a provider that is down would otherwise log at every attempt. */
  private void logFailure(Throwable failure) {
    long failures = failureLog.count();
    if (failures > 0) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      log.atWarn().addKeyValue("issuer", issuer).addKeyValue("error", String.valueOf(cause))
          .addKeyValue("keysHeld", held()).addKeyValue("failuresSinceLastLine", failures)
          .log("could not fetch the issuer's keys; keeping those held");
    }
  }

  private static List<String> keyIds(JWKSet set) {
    return set.getKeys().stream().map(JWK::getKeyID).toList();
  }

  private static String stripSlash(String url) {
    return url != null && url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
