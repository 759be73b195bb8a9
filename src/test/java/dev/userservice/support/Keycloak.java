package dev.userservice.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Keycloak on 127.0.0.1 and a free port, from the Maven distribution that the build
 * unpacks (keycloak.home), started as `kc.sh start-dev --import-realm` with the realm file the
 * chart imports (keycloak/realm-hw3.json), plus the few admin API calls the tests make.
 */
public final class Keycloak implements AutoCloseable {
  public static final Path REALM_FILE = Path.of("keycloak", "realm-hw3.json");
  public static final String REALM = "hw3";
  public static final String CLIENT = "user-service-cli";
  private static final String ADMIN = "admin";

  private final Process process;
  private final int port;
  private final String adminPassword = UUID.randomUUID().toString();
  private final String registrarSecret = UUID.randomUUID().toString();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Duration started;

  private Keycloak(Path home) throws IOException, InterruptedException {
    port = Tools.freePort();
    Path data = home.resolve("data");
    if (Files.exists(data)) {
      try (Stream<Path> old = Files.walk(data)) {
        old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); // a fresh realm each run
      }
    }
    Files.createDirectories(data.resolve("import"));
    Files.copy(REALM_FILE, data.resolve("import").resolve(REALM_FILE.getFileName()));
    String javaHome = Path.of(ProcessHandle.current().info().command().orElseThrow()).getParent().getParent().toString();
    var builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev", "--import-realm",
        "--http-host=127.0.0.1", "--http-port=" + port, "--hostname=" + url(),
        // Its management interface would take another port, 9000, which may be taken here.
        "--http-management-port=" + Tools.freePort(), "--health-enabled=false")
        .redirectErrorStream(true).redirectOutput(home.resolve("keycloak.log").toFile());
    builder.environment().putAll(Map.of("JAVA_HOME", javaHome, "KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN,
        "KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword, "USER_SERVICE_REGISTRAR_SECRET", registrarSecret));
    long begin = System.nanoTime();
    process = builder.start();
    long deadline = begin + Duration.ofSeconds(240).toNanos();
    while (!answers(issuer() + "/.well-known/openid-configuration")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        close();
        var log = Files.readAllLines(home.resolve("keycloak.log"));
        throw new IllegalStateException("Keycloak did not start; the end of " + home.resolve("keycloak.log") + ":\n"
            + String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())));
      }
      Thread.sleep(250);
    }
    started = Duration.ofNanos(System.nanoTime() - begin);
  }

  /** Starts one; skips the calling test where the build did not unpack the distribution, fails in CI. */
  public static Keycloak start() throws IOException, InterruptedException {
    String home = System.getProperty("keycloak.home");
    boolean present = home != null && Files.isExecutable(Path.of(home, "bin", "kc.sh"));
    if (!present && System.getenv("CI") != null) {
      throw new AssertionError("Keycloak's distribution is not unpacked at " + home + " (the build's unpack-keycloak)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(present, "Keycloak is not unpacked: run the ITs through ./mvnw verify");
    return new Keycloak(Path.of(home));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public String issuer() {
    return url() + "/realms/" + REALM;
  }

  public String registrarSecret() {
    return registrarSecret;
  }

  public Duration startTime() {
    return started;
  }

  /** Registers an account with a password, as the registrar service account (admin API). */
  public void register(String username, String password) {
    String token = token(REALM, Map.of("grant_type", "client_credentials", "client_id", "user-service-registrar",
        "client_secret", registrarSecret));
    var account = new JsonObject().put("username", username).put("enabled", true).put("emailVerified", true)
        .put("email", username + "@example.com").put("firstName", "Test").put("lastName", "Account")
        .put("credentials", new JsonArray().add(new JsonObject().put("type", "password").put("value", password)
            .put("temporary", false)));
    expect(201, send("POST", "/admin/realms/" + REALM + "/users", token, account.encode()));
  }

  /** An access token of the account, signed in through the public client (password grant). */
  public String signIn(String username, String password) {
    return token(REALM, Map.of("grant_type", "password", "client_id", CLIENT, "username", username, "password", password));
  }

  /** The realm's signing keys, through the bootstrap administrator (master realm). */
  public JsonArray keyProviders() {
    return new JsonArray(expect(200, send("GET", "/admin/realms/" + REALM + "/components?type=org.keycloak.keys.KeyProvider",
        admin(), null)));
  }

  /** Adds an RSA key of higher priority than every other: the next tokens are signed with it. */
  public void addRsaKey(String name, int priority) {
    String realmId = new JsonObject(expect(200, send("GET", "/admin/realms/" + REALM, admin(), null))).getString("id");
    var component = new JsonObject().put("name", name).put("providerId", "rsa-generated")
        .put("providerType", "org.keycloak.keys.KeyProvider").put("parentId", realmId)
        .put("config", new JsonObject().put("priority", new JsonArray().add(Integer.toString(priority)))
            .put("keySize", new JsonArray().add("2048")).put("active", new JsonArray().add("true"))
            .put("enabled", new JsonArray().add("true")));
    expect(201, send("POST", "/admin/realms/" + REALM + "/components", admin(), component.encode()));
  }

  public void removeKeyProvider(String id) {
    expect(204, send("DELETE", "/admin/realms/" + REALM + "/components/" + id, admin(), null));
  }

  private String admin() {
    return token("master", Map.of("grant_type", "password", "client_id", "admin-cli", "username", ADMIN,
        "password", adminPassword));
  }

  private String token(String realm, Map<String, String> form) {
    String body = form.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    var request = HttpRequest.newBuilder(URI.create(url() + "/realms/" + realm + "/protocol/openid-connect/token"))
        .header("content-type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return new JsonObject(expect(200, call(request))).getString("access_token");
  }

  private HttpResponse<String> send(String method, String path, String token, String json) {
    var request = HttpRequest.newBuilder(URI.create(url() + path)).header("authorization", "Bearer " + token)
        .header("content-type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build();
    return call(request);
  }

  private HttpResponse<String> call(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String expect(int status, HttpResponse<String> response) {
    if (response.statusCode() != status) {
      throw new AssertionError(response.request().method() + " " + response.uri() + " answered " + response.statusCode()
          + " (expected " + status + "): " + response.body());
    }
    return response.body();
  }

  private boolean answers(String url) {
    try {
      return call(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build()).statusCode() == 200;
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
