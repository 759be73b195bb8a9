package dev.userservice.auth;

import static dev.userservice.support.ApiAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.Response;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestIssuer;
import dev.userservice.support.TestService;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API 1.2 with tokens the test signs itself, against an issuer of its own over real HTTP:
 * every rule of which tokens count, who reaches which profile, /user/me, keys rotating, and an
 * issuer that answers garbage or nothing.
 */
class BearerTokensTest {
  private static final Duration REFRESH = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestIssuer issuer;
  private static TestService service;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    issuer = new TestIssuer();
    var env = new HashMap<>(issuer.serviceEnv(Long.toString(REFRESH.toSeconds())));
    service = TestService.start(TestDatabase.settings(), env);
    api = service.api;
    Await.until("/ready once the issuer's keys are held", () -> api.get("/ready").status() == 200, WAIT);
  }

  @AfterAll
  static void stop() {
    service.close();
    issuer.close();
  }

  @Test
  void everyUserRouteNeedsATokenAndTheOperationsRoutesDoNot() {
    for (String[] call : new String[][] {{"POST", "/user"}, {"GET", "/user/1"}, {"PUT", "/user/1"},
        {"DELETE", "/user/1"}, {"GET", "/user/me"}, {"PUT", "/user/me"}, {"DELETE", "/user/me"}}) {
      Response answer = api.request(call[0], call[1], "{\"username\":\"x\"}".getBytes(), "content-type", "application/json");
      assertError(answer, 401);
      assertThat(answer.message()).as(call[0] + " " + call[1]).isEqualTo("authentication required");
      assertThat(answer.header("www-authenticate")).isEqualTo("Bearer realm=\"user-service\"");
    }
    for (String open : new String[] {"/health", "/ready", "/metrics", "/openapi.yaml", "/openapi.json", "/docs"}) {
      assertThat(api.get(open).status()).as(open).isEqualTo(200);
    }
  }

  @Test
  void everyBrokenRuleIsA401NamingNoTokenAndCountedByReason() throws Exception {
    RSAKey stranger = TestIssuer.newKey();
    Instant now = Instant.now();
    SignedJWT valid = SignedJWT.parse(issuer.token("rules"));
    String[] parts = valid.serialize().split("\\.");
    String otherPayload = SignedJWT.parse(issuer.token("someone-else")).serialize().split("\\.")[1];
    String deeplyNested = "{\"sub\":\"deep\",\"x\":" + "[".repeat(2500) + "]".repeat(2500) + "}";

    Map<String, String[]> cases = new java.util.LinkedHashMap<>();
    cases.put("not bearer", new String[] {"Basic dXNlcjpwYXNz", "malformed"});
    cases.put("garbage", new String[] {"Bearer not.a.jwt", "malformed"});
    cases.put("two parts", new String[] {"Bearer abc.def", "malformed"});
    cases.put("expired", new String[] {bearer(issuer.token("rules", c -> c.expirationTime(Date.from(now.minusSeconds(120))))), "expired"});
    cases.put("not yet valid", new String[] {bearer(issuer.token("rules", c -> c.notBeforeTime(Date.from(now.plusSeconds(120))))), "expired"});
    cases.put("wrong issuer", new String[] {bearer(issuer.token("rules", c -> c.issuer("http://127.0.0.1:1/realms/other"))), "issuer"});
    cases.put("wrong audience", new String[] {bearer(issuer.token("rules", c -> c.audience("account"))), "audience"});
    cases.put("no subject", new String[] {bearer(issuer.token("rules", c -> c.subject(null))), "malformed"});
    cases.put("alg none", new String[] {bearer(new PlainJWT(new PlainHeader(), issuer.claimsFor("rules", c -> { })).serialize()), "malformed"});
    cases.put("HMAC with the public key", new String[] {bearer(hmacWithPublicKey()), "signature"});
    cases.put("tampered payload", new String[] {bearer(parts[0] + "." + otherPayload + "." + parts[2]), "signature"});
    cases.put("unknown key", new String[] {bearer(TestIssuer.sign(stranger, issuer.claimsFor("rules", c -> { }))), "unknown_key"});
    // Large but inside the 8 KiB header limit, validly signed: checked as any other (a 403 on user 1).
    cases.put("large valid payload", new String[] {bearer(issuer.token("rules", c -> c.claim("pad", "x".repeat(5000)))), null});
    // The signature is checked before the payload is read: a payload swapped in fails there.
    cases.put("deeply nested payload", new String[] {bearer(parts[0] + "." + base64(deeplyNested) + "." + parts[2]), "signature"});

    Map<String, Double> before = refusals();
    for (var entry : cases.entrySet()) {
      Response answer = api.request("GET", "/user/1", null, "authorization", entry.getValue()[0]);
      if (entry.getValue()[1] == null) {
        assertThat(answer.status()).as(entry.getKey()).isEqualTo(403);
        continue;
      }
      assertError(answer, 401);
      assertThat(answer.message()).as(entry.getKey()).isEqualTo("invalid token");
      assertThat(answer.header("www-authenticate")).as(entry.getKey())
          .startsWith("Bearer realm=\"user-service\", error=\"invalid_token\"")
          .doesNotContain(entry.getValue()[0].substring(Math.min(7, entry.getValue()[0].length())));
      assertThat(answer.body()).doesNotContain(entry.getValue()[0]);
      System.out.printf("token %-24s -> %d %s (%s)%n", entry.getKey(), answer.status(), answer.message(),
          answer.header("www-authenticate").replaceAll(".*error_description=", ""));
    }
    Map<String, Double> after = refusals();
    for (String reason : List.of("malformed", "expired", "issuer", "audience", "signature", "unknown_key")) {
      long expected = cases.values().stream().filter(c -> reason.equals(c[1])).count();
      assertThat(after.get(reason) - before.getOrDefault(reason, 0.0)).as("refusals counted as " + reason)
          .isEqualTo(expected);
    }
  }

  @Test
  void anAuthorizationHeaderOf100KbIsA431() {
    Response answer = api.request("GET", "/user/1", null, "authorization", "Bearer " + "a".repeat(100 * 1024));
    assertThat(answer.status()).isEqualTo(431);
    assertThat(api.get("/health").status()).isEqualTo(200);
  }

  @Test
  void aProfileIsItsOwnersAndAnAdministratorsOnly() {
    String alice = issuer.token("alice-" + UUID.randomUUID());
    String bob = issuer.token("bob-" + UUID.randomUUID());
    String admin = issuer.adminToken("admin-" + UUID.randomUUID());

    Response created = call("POST", "/user", alice, body("alice"));
    assertThat(created.status()).as(created.toString()).isEqualTo(200);
    long id = created.json().getLong("id");
    String path = "/user/" + id;
    assertThat(call("GET", path, alice, null).status()).isEqualTo(200);
    assertThat(call("GET", "/user/me", alice, null).json().getLong("id")).isEqualTo(id);

    for (String[] call : new String[][] {{"GET", null}, {"PUT", body("stolen")}, {"DELETE", null}}) {
      Response refused = call(call[0], path, bob, call[1]);
      assertError(refused, 403);
      assertThat(refused.message()).isEqualTo("access to this user is not allowed");
    }
    assertThat(call("GET", path, alice, null).json().getString("username")).as("nothing written").startsWith("alice");
    assertError(call("GET", "/user/me", bob, null), 404);

    Response second = call("POST", "/user", alice, body("alice-again"));
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.message()).isEqualTo("this account already has a profile");
    assertThat(second.json().getLong("id")).isEqualTo(id);

    assertThat(call("GET", path, admin, null).status()).as("an administrator reaches every profile").isEqualTo(200);
    assertThat(call("GET", "/user/1", admin, null).status()).as("and those of no one").isEqualTo(200);
    assertError(call("GET", "/user/1", alice, null), 403);
    Response byAdmin = call("POST", "/user", admin, body("made-by-admin"));
    assertError(call("GET", "/user/" + byAdmin.json().getLong("id"), alice, null), 403);

    Response updated = call("PUT", "/user/me", alice, body("alice-renamed"));
    assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
    assertThat(updated.header("etag")).isEqualTo("\"2\"");
    assertThat(call("GET", path, alice, null).json().getString("username")).startsWith("alice-renamed");
    assertThat(call("DELETE", "/user/me", alice, null).status()).isEqualTo(200);
    assertError(call("GET", "/user/me", alice, null), 404);
    assertThat(call("POST", "/user", alice, body("alice-new")).status()).as("a new profile after the delete").isEqualTo(200);
  }

  @Test
  void anIdempotencyKeyBelongsToTheSubjectThatSentIt() {
    String key = "shared-" + UUID.randomUUID();
    String carol = issuer.token("carol-" + UUID.randomUUID());
    String dave = issuer.token("dave-" + UUID.randomUUID());
    byte[] carols = body("carol").getBytes(StandardCharsets.UTF_8);
    Response first = api.request("POST", "/user", carols, "authorization", bearer(carol),
        "content-type", "application/json", "idempotency-key", key);
    Response replay = api.request("POST", "/user", carols, "authorization", bearer(carol),
        "content-type", "application/json", "idempotency-key", key);
    Response other = api.request("POST", "/user", body("dave").getBytes(StandardCharsets.UTF_8), "authorization", bearer(dave),
        "content-type", "application/json", "idempotency-key", key);
    assertThat(first.status()).isEqualTo(200);
    assertThat(replay.header("idempotent-replayed")).isEqualTo("true");
    assertThat(replay.json().getLong("id")).isEqualTo(first.json().getLong("id"));
    assertThat(other.status()).as("dave's request is his own, not a replay of carol's").isEqualTo(200);
    assertThat(other.header("idempotent-replayed")).isNull();
    assertThat(other.json().getLong("id")).isNotEqualTo(first.json().getLong("id"));
  }

  @Test
  void aRotatedKeyIsAcceptedAtOnceAndARemovedOneRefusedAfterTheRefresh() throws Exception {
    RSAKey old = issuer.signingKey();
    String signedByOld = issuer.token("rotation");
    long started = System.nanoTime();
    issuer.rotate();
    String signedByNew = issuer.token("rotation");
    // Fetched on its first use, unless a fetch for an unknown key ran in the last 10 s (another
    // test's): then at the next periodic refresh.
    Await.until("a token of the new key accepted", () -> call("GET", "/user/me", signedByNew, null).status() != 401, WAIT);
    long acceptedMillis = (System.nanoTime() - started) / 1_000_000;
    issuer.unpublish(old);
    long removed = System.nanoTime();
    Await.until("a removed key refused after the refresh", () -> call("GET", "/user/me", signedByOld, null).status() == 401, WAIT);
    long refusedMillis = (System.nanoTime() - removed) / 1_000_000;
    System.out.printf("rotation: a token of the new key answered %d ms after the key was added; the old key's "
        + "tokens refused %d ms after its removal (refresh %d s)%n", acceptedMillis, refusedMillis, REFRESH.toSeconds());
    assertThat(call("GET", "/user/me", signedByNew, null).status()).isIn(200, 404);
  }

  @Test
  void aKeySetEndpointThatAnswersGarbageOrNothingLeavesTheHeldKeys() throws Exception {
    String token = issuer.token("steady-" + UUID.randomUUID());
    try {
      for (TestIssuer.KeySetMode mode : new TestIssuer.KeySetMode[] {TestIssuer.KeySetMode.GARBAGE, TestIssuer.KeySetMode.SILENT}) {
        issuer.keySetMode(mode);
        int fetches = issuer.keySetFetches();
        Await.until("a refresh under " + mode, () -> issuer.keySetFetches() > fetches + 1, WAIT);
        assertThat(call("GET", "/user/me", token, null).status()).as(mode.toString()).isEqualTo(404);
        assertThat(api.get("/ready").status()).isEqualTo(200);
      }
    } finally {
      issuer.keySetMode(TestIssuer.KeySetMode.KEYS);
    }
  }

  private static String hmacWithPublicKey() throws Exception {
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(issuer.signingKey().getKeyID()).build(),
        issuer.claimsFor("rules", c -> { }));
    byte[] secret = issuer.signingKey().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    jwt.sign(new MACSigner(secret));
    return jwt.serialize();
  }

  private static Map<String, Double> refusals() {
    Map<String, Double> counts = new HashMap<>();
    api.get("/metrics").body().lines().filter(l -> l.startsWith("auth_tokens_refused_total{")).forEach(l -> {
      String reason = l.replaceAll(".*reason=\"([^\"]+)\".*", "$1");
      counts.put(reason, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
    });
    return counts;
  }

  private static Response call(String method, String path, String token, String json) {
    return json == null ? api.request(method, path, null, "authorization", bearer(token))
        : api.request(method, path, json.getBytes(StandardCharsets.UTF_8), "authorization", bearer(token),
            "content-type", "application/json");
  }

  private static String body(String username) {
    return new JsonObject().put("username", ApiClient.uniqueName(username)).encode();
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  private static String base64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

}
