package dev.userservice;

import dev.userservice.auth.IssuerKeys;
import dev.userservice.config.BuildInfo;
import dev.userservice.config.Config;
import dev.userservice.db.DbSettings;
import dev.userservice.db.EmbeddedDatabase;
import dev.userservice.db.Migrations;
import dev.userservice.db.PgPools;
import dev.userservice.db.SchemaCheck;
import dev.userservice.http.ApiRouter;
import dev.userservice.idempotency.ExpiredKeyCleaner;
import dev.userservice.idempotency.IdempotentCreates;
import dev.userservice.http.ConnectionLimits;
import dev.userservice.http.HttpVerticle;
import dev.userservice.http.Readiness;
import dev.userservice.metrics.Metrics;
import dev.userservice.tracing.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running service: database, pool, HTTP servers and metrics, started and stopped in order. */
public final class UserService {
  private static final Logger log = LoggerFactory.getLogger(UserService.class);
  private static final int MIGRATE_CONNECT_RETRIES = 0; // the server starts next to a database that is up
  private static final long SCHEMA_RECHECK_MS = 2000;

  private final Config config;
  private final EmbeddedDatabase embedded;
  private final Metrics metrics;
  private final Vertx vertx;
  private final Pool pool;
  private final String deploymentId;
  private final int port;
  private final Readiness readiness;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final OpenTelemetrySdk openTelemetry;

  private UserService(Config config, EmbeddedDatabase embedded, Metrics metrics, Vertx vertx, Pool pool,
      String deploymentId, int port, Readiness readiness, OpenTelemetrySdk openTelemetry) {
    this.config = config;
    this.embedded = embedded;
    this.metrics = metrics;
    this.vertx = vertx;
    this.pool = pool;
    this.deploymentId = deploymentId;
    this.port = port;
    this.readiness = readiness;
    this.openTelemetry = openTelemetry;
  }

  /** Starts everything, tracing as the OTEL_* variables say, and returns once the port accepts requests. */
  public static UserService start(Config config) {
    return start(config, Tracing.fromEnvironment(System.getenv()));
  }

  /** Starts everything with this OpenTelemetry (closed by {@link #stop()}). */
  public static UserService start(Config config, OpenTelemetrySdk openTelemetry) {
    long started = System.nanoTime();
    log.atInfo().addKeyValue("config", config.toString()).log("starting user-service");
    EmbeddedDatabase embedded = config.embeddedDatabase()
        ? EmbeddedDatabase.start(Path.of(config.dataDir())) : null;
    try {
      DbSettings db = embedded != null ? embedded.settings() : DbSettings.of(config);
      if (config.migrateOnStart()) {
        Migrations.migrate(db, MIGRATE_CONNECT_RETRIES);
      }
      int cpus = Runtime.getRuntime().availableProcessors();
      Metrics metrics = new Metrics();
      Vertx vertx = Vertx.builder()
          .with(new VertxOptions().setEventLoopPoolSize(cpus).setPreferNativeTransport(true)
              .setMetricsOptions(metrics.vertxMetricsOptions()))
          .withMetrics(metrics.vertxMetricsFactory())
          // A server span per request, continuing an incoming traceparent, and a client span
          // per PostgreSQL statement (the pg client's default policy follows an active span).
          .withTracer(new OpenTelemetryTracingFactory(openTelemetry))
          .build();
      // One connection of its own for the schema check; the event loops have their pools.
      Pool pool = PgPools.create(vertx, db, config, 1, "schema-check");
      int perLoop = Math.max(1, (config.dbPoolSize() + cpus - 1) / cpus);
      metrics.poolSize(PgPools.NAME, perLoop * cpus);
      metrics.poolSize(PgPools.TRANSACTIONS_NAME, PgPools.transactionPoolSize(perLoop) * cpus);

      var readiness = new Readiness();
      watchSchema(vertx, pool, readiness);
      IssuerKeys issuerKeys = null;
      if (config.auth().enabled()) {
        issuerKeys = new IssuerKeys(config.auth().issuer(), metrics);
        readiness.requireKeys(issuerKeys::held);
        issuerKeys.start(vertx, config.auth().jwksRefresh());
      }
      ExpiredKeyCleaner.schedule(vertx, new IdempotentCreates(pool, config.idempotencyTtl()),
          config.idempotencyCleanupPeriod().toMillis());
      Deployment http = deployHttpServers(vertx, config, db, cpus, perLoop, metrics, readiness, issuerKeys);
      String deploymentId = http.id();
      int port = http.port();
      log.atInfo()
          .addKeyValue("port", port)
          .addKeyValue("eventLoops", cpus)
          .addKeyValue("nativeTransport", vertx.isNativeTransportEnabled())
          .addKeyValue("poolSize", perLoop * cpus)
          .addKeyValue("startupMs", (System.nanoTime() - started) / 1_000_000)
          .log("user-service listening");
      vertx.executeBlocking(() -> {
        metrics.bindJvmMetrics();
        return null;
      });
      return new UserService(config, embedded, metrics, vertx, pool, deploymentId, port, readiness, openTelemetry);
    } catch (RuntimeException e) {
      openTelemetry.close();
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  public int port() {
    return port;
  }

  private record Deployment(String id, int port) {
  }

  /** One HTTP server per event loop, each with its own PostgreSQL pool, sharing one port. */
  private static Deployment deployHttpServers(Vertx vertx, Config config, DbSettings db, int loops,
      int poolPerLoop, Metrics metrics, Readiness readiness, IssuerKeys issuerKeys) {
    var serverOptions = new HttpServerOptions()
        .setHost(config.bindAddress())
        // -1 asks for one random port shared by every instance; 0 would give each its own.
        .setPort(config.port() == 0 ? -1 : config.port())
        // Idle keep-alive connections are closed, so idle clients cannot pile up without end.
        .setIdleTimeout((int) config.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // HTTP/1.1 only, as ingress controllers and load balancers speak to a backend. Detecting
        // cleartext HTTP/2 would hold each new connection back until its first bytes, out of
        // reach of the connection limit and the header timeout (see http/ConnectionGuard).
        .setHttp2ClearTextEnabled(false);
    var next = new AtomicInteger();
    var connectionLimits = ConnectionLimits.of(config.maxConnections(), config.headerTimeout(), metrics);
    var verticles = new ArrayList<HttpVerticle>();
    String id = vertx.deployVerticle(() -> {
          int loop = next.getAndIncrement();
          var verticle = new HttpVerticle(serverOptions,
              v -> PgPools.createForLoop(v, db, config, poolPerLoop, loop),
              (v, pools) -> ApiRouter.create(v, config, pools, metrics, readiness, issuerKeys), config.shutdownTimeout(),
              connectionLimits);
          synchronized (verticles) {
            verticles.add(verticle);
          }
          return verticle;
        }, new DeploymentOptions().setInstances(loops))
        .await();
    return new Deployment(id, verticles.getFirst().actualPort());
  }

  /**
   * Graceful stop: /ready answers 503 at once while requests are still served for the drain
   * delay (time for the load balancer to notice), then the servers stop accepting and finish
   * what is in flight, then the pool and the database close. Safe to call more than once.
   */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    readiness.startDraining();
    log.atInfo().addKeyValue("drainMs", config.shutdownDrain().toMillis()).log("shutting down: draining");
    sleep(config.shutdownDrain());
    try {
      vertx.undeploy(deploymentId).await();
      pool.close().await();
      vertx.close().await();
    } catch (Exception e) { // await() rethrows what the future failed with, checked or not
      log.warn("error while stopping the HTTP servers", e);
    }
    metrics.close();
    openTelemetry.close(); // exports the spans still buffered
    if (embedded != null) {
      embedded.close();
    }
    log.info("user-service stopped");
  }

  /**
   * Checks once before the servers listen (so a current schema makes the first /ready a 200),
   * then every two seconds until the migration has run. A release older than the schema allows
   * stays unready and says why in one line.
   */
  private static void watchSchema(Vertx vertx, Pool pool, Readiness readiness) {
    String release = BuildInfo.get("version");
    var said = new AtomicBoolean();
    try {
      SchemaCheck.State state = SchemaCheck.check(pool, release).await();
      if (state.ready()) {
        readiness.schemaIsCurrent();
        return;
      }
      sayWhyNotReady(state, said);
    } catch (Exception databaseDown) { // await() rethrows the client's exception, checked or not
      // the periodic check below keeps trying; meanwhile /ready says 503
    }
    if (!said.get()) {
      log.atWarn().addKeyValue("expectedVersion", Migrations.LATEST_VERSION)
          .log("schema not migrated yet: /ready answers 503 until it is");
    }
    vertx.setPeriodic(SCHEMA_RECHECK_MS, timer -> SchemaCheck.check(pool, release).onSuccess(state -> {
      if (state.ready() && !readiness.schemaCurrent()) {
        readiness.schemaIsCurrent();
        vertx.cancelTimer(timer);
        log.info("schema is current: ready for traffic");
      } else {
        sayWhyNotReady(state, said);
      }
    }));
  }

  private static void sayWhyNotReady(SchemaCheck.State state, AtomicBoolean said) {
    state.refusal().ifPresent(why -> {
      if (!said.getAndSet(true)) {
        log.atError().log("not ready: " + why);
      }
    });
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
