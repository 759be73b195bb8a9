package dev.userservice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.userservice.ObservabilityIT;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.Keycloak;
import dev.userservice.support.Prometheus;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.Response;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import dev.userservice.support.Tools;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * API 1.2 against a real Keycloak with the realm the chart imports: the course's scenario as the
 * Postman collection, run by newman, and key rotation through Keycloak's admin API while the
 * service runs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakIT {
  private static final Duration REFRESH = Duration.ofSeconds(3);
  private static final Path COLLECTION = Path.of("postman", "user-service-accounts.postman_collection.json");
  private static Keycloak keycloak;
  private static TestService service;
  private static ApiClient api;

  @BeforeAll
  static void start() throws Exception {
    keycloak = Keycloak.start();
    System.out.printf("Keycloak started in %d ms at %s%n", keycloak.startTime().toMillis(), keycloak.url());
    service = TestService.start(TestDatabase.settings(), Map.of("AUTH_MODE", "oidc", "OIDC_ISSUER", keycloak.issuer(),
        "OIDC_JWKS_REFRESH", Long.toString(REFRESH.toSeconds())));
    api = service.api;
    Await.until("/ready with Keycloak's keys", () -> api.get("/ready").status() == 200, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (service != null) {
      service.close();
    }
    if (keycloak != null) {
      keycloak.close();
    }
  }

  @Test
  @Order(1)
  void theCoursesScenarioPassesInNewman() {
    String newman = System.getenv().getOrDefault("NEWMAN", "newman"); // .ci/run installs it from npm
    Tools.require(newman);
    String host = api.base().replace("http://", "");
    Tools.Result run = Tools.run(Path.of("."), 300, newman, "run", COLLECTION.toString(), "--color", "off",
        "--env-var", "baseUrl=" + host, "--env-var", "keycloakUrl=" + keycloak.url().replace("http://", ""),
        "--env-var", "registrarSecret=" + keycloak.registrarSecret());
    System.out.println(run.output());
    assertThat(run.exitCode()).as("newman's exit code (every assertion passed)").isZero();
    assertThat(run.output()).contains("user 2 cannot change user 1's profile").containsPattern("requests\\s*│\\s*17\\s*│\\s*0");
  }

  @Test
  @Order(2)
  void aKeyAddedInKeycloakSignsTheNextTokensAndARemovedKeysTokensAreRefused() throws Exception {
    String username = "rotation-" + UUID.randomUUID();
    keycloak.register(username, "Rotation-1");
    String before = keycloak.signIn(username, "Rotation-1");
    String oldKeyId = SignedJWT.parse(before).getHeader().getKeyID();
    assertThat(get(before).status()).as("a token of the current key").isEqualTo(404);
    String oldProvider = keycloak.keyProviders().stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("providerId").equals("rsa-generated")).findFirst().orElseThrow().getString("id");

    keycloak.addRsaKey("rotated-" + System.currentTimeMillis(), 500);
    String after = keycloak.signIn(username, "Rotation-1");
    String newKeyId = SignedJWT.parse(after).getHeader().getKeyID();
    assertThat(newKeyId).as("the next tokens are signed by the new key").isNotEqualTo(oldKeyId);
    long added = System.nanoTime();
    Await.until("the new key's token accepted without a restart", () -> get(after).status() == 404, Duration.ofSeconds(20));
    long acceptedMillis = (System.nanoTime() - added) / 1_000_000;
    assertThat(get(before).status()).as("the old key still listed: its tokens still count").isEqualTo(404);

    keycloak.removeKeyProvider(oldProvider);
    long removed = System.nanoTime();
    Await.until("the removed key's tokens refused", () -> get(before).status() == 401, REFRESH.multipliedBy(5));
    long refusedMillis = (System.nanoTime() - removed) / 1_000_000;
    System.out.printf("key rotation in Keycloak: a token of the added key accepted after %d ms (no restart); the "
        + "removed key's tokens refused %d ms after its removal (OIDC_JWKS_REFRESH %d s)%n",
        acceptedMillis, refusedMillis, REFRESH.toSeconds());
    assertThat(get(after).status()).isEqualTo(404);
  }

  /**
   * The dashboard's accounts row, live: a real Prometheus scrapes the service after the runs
   * above (refused tokens, 401s and 403s, key fetches), and every query of the row has data.
   */
  @Test
  @Order(3)
  void theDashboardsAccountsRowHasDataFromThisRun() throws Exception {
    Tools.require("prometheus");
    Path work = ServiceProcess.workDir("keycloak-prometheus");
    int port = Tools.freePort();
    String target = api.base().replace("http://", "");
    Files.writeString(work.resolve("prometheus.yml"), """
        global: {scrape_interval: 1s}
        scrape_configs:
          - job_name: user-service
            static_configs:
              - targets: ["%s"]
                labels: {namespace: "%s"}
        """.formatted(target, RenderedChart.NAMESPACE));
    Process prometheusProcess = new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    try {
      var prometheus = new Prometheus("http://127.0.0.1:" + port);
      List<String> exprs = new ArrayList<>();
      for (JsonNode panel : ObservabilityIT.dashboard().path("panels")) {
        List<String> panelExprs = new ArrayList<>();
        panel.path("targets").forEach(t -> panelExprs.add(t.path("expr").asText()));
        if (!panelExprs.isEmpty() && ObservabilityIT.accountsOnly(panelExprs)) {
          exprs.addAll(panelExprs);
        }
      }
      assertThat(exprs).as("the accounts row's queries").hasSizeGreaterThanOrEqualTo(4);
      Await.until("every query of the accounts row has data", () -> exprs.stream().allMatch(expr -> {
        try {
          return !prometheus.query(ObservabilityIT.substitute(expr)).isEmpty();
        } catch (RuntimeException notUpYet) {
          return false;
        }
      }), Duration.ofSeconds(60));
      for (String expr : exprs) {
        System.out.println("accounts panel: " + prometheus.query(ObservabilityIT.substitute(expr)).encode());
      }
    } finally {
      prometheusProcess.destroy();
      prometheusProcess.waitFor();
    }
  }

  /** test.sh with AUTH=keycloak, bounded: every simulated user signs up, signs in, and is refused another's profile. */
  @Test
  @Order(4)
  void theLoadTestSignsUpItsUsersAndEachIsRefusedTheOthersProfiles() throws Exception {
    Tools.require("locust");
    Tools.Result locust = Tools.run(Path.of("."), 180, name -> false, Map.of("HOST", api.base(), "AUTH", "keycloak", "KEYCLOAK_URL", keycloak.url(),
            "USER_SERVICE_REGISTRAR_SECRET", keycloak.registrarSecret(), "MAX_FAILURE_RATIO", "0", "MIN_REQUESTS", "100"),
        "bash", "-c", "./test.sh -u 6 -r 6 -t 20s");
    String stats = Files.readString(Path.of("reports", "locust_stats.csv"));
    System.out.println(stats);
    assertThat(locust.exitCode()).as(locust.output()).isZero();
    assertThat(stats).contains("keycloak: sign up", "keycloak: sign in", "GET /user/me", "PUT /user/{id} (another's: 403)");
  }

  private static Response get(String token) {
    return api.request("GET", "/user/me", null, "authorization", "Bearer " + token);
  }

}
