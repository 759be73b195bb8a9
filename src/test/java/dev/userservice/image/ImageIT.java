package dev.userservice.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.userservice.config.BuildInfo;
import dev.userservice.db.DbSettings;
import dev.userservice.db.Migrations;
import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.MixedLoad.Sample;
import dev.userservice.support.PodmanPod;
import dev.userservice.support.RenderedChart;
import dev.userservice.support.SharedService;
import dev.userservice.support.Sql;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.Tools;
import dev.userservice.support.WriteLedger;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The image users deploy, run as the chart runs its pods: the rendered Job's and Deployment's
 * user, read-only root, dropped capabilities, memory and CPU limits, /tmp and environment, on
 * the host's network beside a real PostgreSQL. The image is built by scripts/podman-image.sh
 * (CI runs it first); on a machine without Podman or the image this test is skipped, in CI it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageIT {
  private static final String VERSION = BuildInfo.get("version");
  private static final String IMAGE = "user-service:" + VERSION;
  private static final String CONTAINER = "user-service-image-it-" + ProcessHandle.current().pid();
  /** The API test classes that reach the service through SharedService only: run against the container. */
  private static final List<String> API_TESTS = List.of(
      "dev.userservice.http.UserApiTest", "dev.userservice.http.UserValidationTest",
      "dev.userservice.http.ConditionalRequestsTest", "dev.userservice.http.ConcurrentEditsTest",
      "dev.userservice.http.SqlInjectionTest", "dev.userservice.user.UnicodeRoundTripTest",
      "dev.userservice.user.ConcurrencyTest", "dev.userservice.openapi.DocumentationEndpointsTest",
      "dev.userservice.metrics.MetricsEndpointTest");

  private static List<String> podman;
  private static ApiClient api;
  private static PodmanPod servicePod;

  @BeforeAll
  static void findPodmanAndTheImage() {
    Tools.require("podman");
    boolean built = Tools.run(Path.of("."), 60, "podman", "image", "exists", IMAGE).exitCode() == 0;
    if (!built && System.getenv("CI") != null) {
      throw new AssertionError(IMAGE + " is not built, and CI must build it first (scripts/podman-image.sh)");
    }
    assumeTrue(built, IMAGE + " is not built: run scripts/podman-image.sh (or podman build -t " + IMAGE + " .)");
    podman = new ArrayList<>(List.of("podman"));
    Path runtime = Path.of("target", "podman", "runtime"); // see scripts/podman-image.sh
    if (Files.isExecutable(runtime)) {
      podman.add("--runtime=" + runtime.toAbsolutePath());
    }
  }

  @AfterAll
  static void removeTheContainer() {
    if (podman != null) {
      podman(60, "rm", "--force", "--ignore", CONTAINER);
    }
  }

  @Test
  @Order(1)
  void theImageNamesItsVersionAndRunsAsItsOwnNonRootUser() {
    JsonObject config = new JsonArray(podman(60, "image", "inspect", IMAGE).output()).getJsonObject(0);
    JsonObject labels = config.getJsonObject("Labels");
    String size = podman(60, "image", "inspect", IMAGE, "--format", "{{.Size}}").output().trim();
    System.out.printf("image %s: %d MB, labels %s, user %s%n", IMAGE, Long.parseLong(size) / 1_000_000, labels,
        config.getJsonObject("Config").getString("User"));
    assertThat(labels.getString("org.opencontainers.image.version")).isEqualTo(VERSION);
    assertThat(labels.getString("org.opencontainers.image.licenses")).isEqualTo("Apache-2.0");
    assertThat(labels.getString("org.opencontainers.image.revision")).isNotBlank();
    assertThat(labels.getString("org.opencontainers.image.source")).isNotBlank();
    assertThat(config.getJsonObject("Config").getString("User")).isEqualTo("10001:10001");

    // The SBOM the label names: CycloneDX, of this version, listing what the jar runs with.
    String sbomPath = labels.getString("dev.userservice.sbom");
    assertThat(sbomPath).isEqualTo("/app/sbom.cdx.json");
    Tools.Result sbom = podman(60, "run", "--rm", "--network=none", "--entrypoint", "cat", IMAGE, sbomPath);
    assertThat(sbom.exitCode()).as(sbom.output()).isZero();
    JsonObject bom = new JsonObject(sbom.output());
    assertThat(bom.getString("bomFormat")).isEqualTo("CycloneDX");
    assertThat(bom.getJsonObject("metadata").getJsonObject("component").getString("version")).isEqualTo(VERSION);
    assertThat(bom.getJsonArray("components").stream().map(c -> ((JsonObject) c).getString("name")))
        .contains("vertx-core", "vertx-pg-client", "flyway-core").doesNotContain("junit-jupiter-api", "assertj-core");
  }

  @Test
  @Order(2)
  void theMigrationJobsPodMigratesAnEmptyDatabase() {
    DbSettings empty = TestDatabase.createEmpty("image_migrate");
    PodmanPod job = PodmanPod.from(RenderedChart.render(), "Job", databaseOf(empty));
    var run = new ArrayList<>(List.of("run", "--rm", "--network=host"));
    run.addAll(job.runArguments());
    run.add(IMAGE);
    run.addAll(job.containerArgs());
    long started = System.nanoTime();
    Tools.Result migrated = podman(180, run.toArray(String[]::new));
    System.out.printf("migrate in the container: exit %d after %d ms%n", migrated.exitCode(),
        (System.nanoTime() - started) / 1_000_000);
    assertThat(migrated.exitCode()).as(migrated.output()).isZero();
    assertThat(job.containerArgs()).containsExactly("migrate");
    assertThat(Sql.value(empty, "SELECT max(version::int) FROM flyway_schema_history WHERE success"))
        .isEqualTo(Migrations.LATEST_VERSION);
    assertThat(migrated.output().lines().filter(line -> !line.isBlank()))
        .as("every line is one JSON object").allSatisfy(line -> new JsonObject(line));
  }

  @Test
  @Order(3)
  void theDeploymentsPodStartsAndIsReady() throws Exception {
    DbSettings db = TestDatabase.settings(); // migrated; the API test classes check it directly
    int port = Tools.freePort();
    var overrides = new java.util.HashMap<>(databaseOf(db));
    overrides.put("PORT", Integer.toString(port));
    overrides.put("BIND_ADDRESS", "127.0.0.1"); // host networking: loopback only
    servicePod = PodmanPod.from(RenderedChart.render(), "Deployment", overrides);
    var run = new ArrayList<>(List.of("run", "--detach", "--name=" + CONTAINER, "--network=host"));
    run.addAll(servicePod.runArguments());
    run.add(IMAGE);
    run.addAll(servicePod.containerArgs());
    api = new ApiClient("http://127.0.0.1:" + port);
    long started = System.nanoTime();
    Tools.Result running = podman(60, run.toArray(String[]::new));
    assertThat(running.exitCode()).as(running.output()).isZero();
    long deadline = started + Duration.ofSeconds(60).toNanos();
    while (!ready()) { // polled every 10 ms, not through Await: the time to the first 200 is a figure
      assertThat(System.nanoTime()).as("/ready 200 within 60 s; logs:\n" + logs()).isLessThan(deadline);
      Thread.sleep(10);
    }
    long readyMillis = (System.nanoTime() - started) / 1_000_000;
    String listening = logs().lines().filter(l -> l.contains("\"user-service listening\"")).findFirst().orElseThrow();
    System.out.printf("container: podman run to the first 200 on /ready in %d ms (the JVM's own count: %d ms "
        + "to listening), run as %s%n", readyMillis, new JsonObject(listening).getLong("startupMs"),
        String.join(" ", servicePod.runArguments().stream().filter(a -> !a.startsWith("--env=")).toList()));
    assertThat(podman(30, "exec", CONTAINER, "id", "-u").output().trim()).isEqualTo("10001");
    assertThat(podman(30, "exec", CONTAINER, "sh", "-c", "touch /app/x 2>&1; echo $?").output())
        .as("the root file system is read-only").contains("Read-only file system");
    assertThat(podman(30, "exec", CONTAINER, "sh", "-c", "grep CapEff /proc/1/status").output())
        .as("no capability left").contains("0000000000000000");
  }

  @Test
  @Order(4)
  void theApiTestsPassAgainstTheContainer() {
    assumeTrue(api != null, "the container did not start");
    var summary = new SummaryGeneratingListener();
    var request = LauncherDiscoveryRequestBuilder.request()
        .selectors(API_TESTS.stream().map(name -> selectClass(name)).toList()).build();
    System.setProperty(SharedService.EXTERNAL_URL, api.base());
    try {
      LauncherFactory.create().execute(request, summary);
    } finally {
      System.clearProperty(SharedService.EXTERNAL_URL);
    }
    TestExecutionSummary result = summary.getSummary();
    var failures = new java.io.StringWriter();
    result.printFailuresTo(new java.io.PrintWriter(failures), 20);
    System.out.printf("API tests against the container: %d found, %d passed, %d failed, %d skipped (%d classes)%n",
        result.getTestsFoundCount(), result.getTestsSucceededCount(), result.getTestsFailedCount(),
        result.getTestsSkippedCount(), API_TESTS.size());
    assertThat(result.getTestsFailedCount()).as(failures.toString()).isZero();
    assertThat(result.getTestsSucceededCount()).isGreaterThan(50);
  }

  @Test
  @Order(5)
  void peakMemoryUnderGetLoadStaysInsideTheLimit() {
    assumeTrue(api != null, "the container did not start");
    Tools.require("wrk");
    long id = api.createUser("image-get");
    Tools.Result wrk = Tools.run(Path.of("."), 120, "wrk", "-t1", "-c32", "-d20s", api.base() + "/user/" + id);
    String pid = podman(30, "inspect", CONTAINER, "--format", "{{.State.Pid}}").output().trim();
    long peakKib = statusKib(pid, "VmHWM:");
    long limitMib = PodmanPod.mebibytes(RenderedChart.render().ofKind("Deployment").getFirst()
        .at("/spec/template/spec/containers/0/resources/limits/memory").asText());
    String requests = wrk.output().lines().filter(l -> l.contains("Requests/sec")).findFirst().orElse("?");
    System.out.printf("container under GET load (wrk, 32 connections, 20 s): %s; peak RSS %d MiB of a %d MiB limit%n",
        requests.trim(), peakKib / 1024, limitMib);
    assertThat(wrk.exitCode()).as(wrk.output()).isZero();
    assertThat(wrk.output()).doesNotContain("Non-2xx");
    assertThat(peakKib / 1024).isLessThan(limitMib);
  }

  @Test
  @Order(6)
  void podmanStopUnderLoadDrainsAndExitsWithinTheGracePeriod() throws Exception {
    assumeTrue(api != null, "the container did not start");
    var inRotation = new AtomicBoolean(true);
    Thread readinessWatcher = Thread.ofVirtual().start(() -> {
      while (api.get("/ready").status() == 200) {
        sleep(50);
      }
      inRotation.set(false); // as a load balancer: no new requests once the pod says it is not ready
    });
    WriteLedger ledger = new WriteLedger("image-stop-");
    MixedLoad load = MixedLoad.startWhile(api, ledger, 8, Duration.ofMillis(5), inRotation::get);
    Await.until("the load got going", () -> load.samples().size() >= 300, Duration.ofSeconds(60));
    long signalled = System.nanoTime();
    Tools.Result stopped = podman(servicePod.terminationGraceSeconds() + 30, "stop",
        "--time=" + servicePod.terminationGraceSeconds(), CONTAINER);
    long stopMillis = (System.nanoTime() - signalled) / 1_000_000;
    readinessWatcher.join(Duration.ofSeconds(30));
    List<Sample> samples = load.stop();
    String exitCode = podman(30, "inspect", CONTAINER, "--format", "{{.State.ExitCode}}").output().trim();
    WriteLedger.Verdict verdict = ledger.verify(TestDatabase.settings());
    long failed = samples.stream().filter(s -> !s.ok()).count();
    System.out.printf("podman stop under load: %d requests (%d after the signal), %d failed, exit code %s "
            + "after %d ms (grace period %d s, drain %s ms), writes acknowledged %d, lost %d%n",
        samples.size(), samples.stream().filter(s -> s.sentNanos() > signalled).count(), failed, exitCode,
        stopMillis, servicePod.terminationGraceSeconds(), servicePod.env().get("SHUTDOWN_DRAIN_MS"),
        ledger.acknowledgedWrites(), verdict.violations().size());
    assertThat(stopped.exitCode()).as(stopped.output()).isZero();
    assertThat(samples).as("no client request failed").allMatch(Sample::ok);
    assertThat(exitCode).as("exited by itself on SIGTERM, not killed").isEqualTo("0");
    assertThat(stopMillis).isLessThan(servicePod.terminationGraceSeconds() * 1000L);
    assertThat(verdict.violations()).isEmpty();
  }

  private static Map<String, String> databaseOf(DbSettings db) {
    return Map.of("DB_HOST", db.host(), "DB_PORT", Integer.toString(db.port()), "DB_NAME", db.database(),
        "DB_USER", db.user(), "DB_PASSWORD", db.password()); // DB_PASSWORD: the Secret, bridged
  }

  private static boolean ready() {
    try {
      return api.get("/ready").status() == 200;
    } catch (RuntimeException notListeningYet) {
      return false;
    }
  }

  private static String logs() {
    return podman(30, "logs", CONTAINER).output();
  }

  private static long statusKib(String pid, String field) {
    try {
      return Files.readAllLines(Path.of("/proc", pid, "status")).stream().filter(l -> l.startsWith(field))
          .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Tools.Result podman(long timeoutSeconds, String... args) {
    var command = new ArrayList<>(podman);
    command.addAll(List.of(args));
    return Tools.run(Path.of("."), timeoutSeconds, command.toArray(String[]::new));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
