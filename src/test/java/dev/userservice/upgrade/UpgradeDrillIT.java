package dev.userservice.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DbSettings;
import dev.userservice.db.Migrations;
import dev.userservice.support.ApiClient;
import dev.userservice.support.LoadBalancer;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.MixedLoad.Sample;
import dev.userservice.support.PostgresServer;
import dev.userservice.support.Releases;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.Sql;
import dev.userservice.support.Tools;
import dev.userservice.support.WriteLedger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upgrade drill: one real PostgreSQL at the previous release's schema with users in it; two
 * instances of the previous release (its jar built from its commit) behind HAProxy, which, like a
 * Service, sends no new request to an instance whose /ready fails; the mixed load with a ledger
 * throughout (keyed creates repeated with their key, updates, reads, deletes). With the load on:
 * this release's migration step; two instances of this release start and take traffic; the old
 * ones get SIGTERM and drain. Then the rollback (the previous release again, on the new schema,
 * which its floor allows) and forward again. It passes when no request the proxy routed failed
 * and every acknowledged write is there with its acknowledged state.
 *
 * <p>{@code -Dupgrade.users=1000000} for the figures at a million users (scripts/upgrade-figures.sh).
 */
class UpgradeDrillIT {
  private static final int USERS = Integer.getInteger("upgrade.users", 100_000);
  private static final Duration PHASE_LOAD = Duration.ofSeconds(Integer.getInteger("upgrade.phaseSeconds", 3));

  @Test
  @Timeout(900)
  void fromTheReleaseBeforeAndBackAndForwardAgainUnderLoad() throws Exception {
    drill("1.2.0");
  }

  /** From 1.1.0 the migration step runs V3 as well, whose index build holds writes for its scan. */
  @Test
  @Timeout(900)
  void fromTwoReleasesBackWhereTheMigrationBuildsAnIndex() throws Exception {
    drill("1.1.0");
  }

  /** One phase of the drill: what it did, and what the load saw meanwhile. */
  record Phase(String name, long startNanos, long endNanos, long lockWaitMillis, long ownMillis) {
  }

  private static void drill(String previous) throws Exception {
    Tools.require("haproxy");
    Path previousJar = Releases.jar(previous);
    Path work = Files.createTempDirectory("user-service-upgrade-" + previous + "-");
    String previousSchema = Integer.toString(Integer.parseInt(Migrations.LATEST_VERSION) - ("1.1.0".equals(previous) ? 2 : 1));
    List<Integer> ports = List.of(Tools.freePort(), Tools.freePort(), Tools.freePort(), Tools.freePort());
    try (PostgresServer postgres = PostgresServer.init(work.resolve("data"), "max_connections = 200", Map.of()).start();
         LoadBalancer balancer = new LoadBalancer(work, ports)) {
      DbSettings db = postgres.settings();
      Migrations.migrate(db, 0, previousSchema);
      Sql.execute(db, """
          INSERT INTO "user" (username, first_name, last_name, email, phone)
          SELECT 'bulk-' || g, 'Bulk', 'User', 'bulk' || g || '@example.com', '+1 555 0100'
          FROM generate_series(1, %d) g""".formatted(USERS));
      Sql.execute(db, "VACUUM ANALYZE \"user\"");

      List<ServiceProcess> old = List.of(start(previousJar, db, ports.get(0)), start(previousJar, db, ports.get(1)));
      awaitUp(balancer, 0, 1);
      WriteLedger ledger = new WriteLedger("upgrade-" + previous + "-");
      ApiClient api = new ApiClient(balancer.url());
      LockWaits locks = new LockWaits(db);
      MixedLoad load = MixedLoad.start(api, ledger, 6, Duration.ofMillis(5));
      List<Phase> phases = new ArrayList<>();
      try {
        phases.add(phase("previous release " + previous, locks, () -> Thread.sleep(PHASE_LOAD)));
        phases.add(phase("migration step of this release", locks, () -> {
          try (ServiceProcess job = ServiceProcess.start(ServiceProcess.workDir("upgrade-migrate"), ServiceProcess.env(db), "migrate")) {
            assertThat(job.awaitExit(Duration.ofMinutes(5))).as(String.join("\n", job.output())).isZero();
          }
        }));
        List<ServiceProcess> next = new ArrayList<>();
        phases.add(phase("this release starts and takes traffic", locks, () -> {
          next.add(start(null, db, ports.get(2)));
          next.add(start(null, db, ports.get(3)));
          awaitUp(balancer, 2, 3);
          Thread.sleep(PHASE_LOAD);
        }));
        phases.add(phase("previous release drains (SIGTERM)", locks, () -> {
          stop(old, balancer, 0, 1);
          Thread.sleep(PHASE_LOAD);
        }));
        List<ServiceProcess> back = new ArrayList<>();
        phases.add(phase("rollback: " + previous + " again, on the new schema", locks, () -> {
          back.add(start(previousJar, db, ports.get(0)));
          back.add(start(previousJar, db, ports.get(1)));
          awaitUp(balancer, 0, 1);
          stop(next, balancer, 2, 3);
          Thread.sleep(PHASE_LOAD);
        }));
        phases.add(phase("forward again", locks, () -> {
          next.clear();
          next.add(start(null, db, ports.get(2)));
          next.add(start(null, db, ports.get(3)));
          awaitUp(balancer, 2, 3);
          stop(back, balancer, 0, 1);
          Thread.sleep(PHASE_LOAD);
        }));
        List<Sample> samples = load.stop();
        int unknown = load.settlePendingCreates(api, Duration.ofSeconds(30));
        next.forEach(ServiceProcess::close);
        locks.close();

        System.out.printf("upgrade drill %s -> this release, %d users, HAProxy in front, 6 clients:%n", previous, USERS);
        for (Phase p : phases) {
          List<Sample> in = samples.stream().filter(s -> s.sentNanos() >= p.startNanos() && s.sentNanos() < p.endNanos()).toList();
          System.out.printf("  %-45s %6d requests, %d failed, p99 %4.0f ms, longest lock wait %5d ms, own time %6d ms%n",
              p.name(), in.size(), in.stream().filter(s -> !s.ok()).count(), MixedLoad.percentileMillis(in, 99),
              p.lockWaitMillis(), p.ownMillis());
        }
        WriteLedger.Verdict verdict = ledger.verify(db);
        System.out.printf("  writes acknowledged %d, lost %d, creates left unknown %d, creates retried with their key %d, replayed %d%n",
            ledger.acknowledgedWrites(), verdict.violations().size(), unknown, load.retriedCreates(), load.replayedCreates());
        assertThat(samples.stream().filter(s -> !s.ok()).map(s -> s.operation() + " " + s.status()).toList())
            .as("requests the proxy routed that failed (5xx or reset)").isEmpty();
        assertThat(verdict.violations()).as("acknowledged writes with their acknowledged state").isEmpty();
        assertThat(unknown).isZero();
        assertThat(Sql.value(db, "SELECT max(version::int) FROM flyway_schema_history WHERE success")).isEqualTo(Migrations.LATEST_VERSION);
      } finally {
        load.close();
        started.forEach(ServiceProcess::close);
        started.clear();
      }
    } finally {
      Tools.run(Path.of("."), 60, "rm", "-rf", work.toString());
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static Phase phase(String name, LockWaits locks, Step step) throws Exception {
    locks.reset();
    long start = System.nanoTime();
    step.run();
    long end = System.nanoTime();
    return new Phase(name, start, end, locks.longestMillis(), (end - start) / 1_000_000);
  }

  /** An instance on a fixed port: the previous release's jar, or this release's (jar null). */
  private static final List<ServiceProcess> started = new java.util.concurrent.CopyOnWriteArrayList<>();

  private static ServiceProcess start(Path jar, DbSettings db, int port) {
    Map<String, String> env = ServiceProcess.env(db, "PORT", Integer.toString(port), "SHUTDOWN_DRAIN_MS", "1500",
        "REQUEST_LOG", "off", "MIGRATE_ON_START", "false");
    Path dir = ServiceProcess.workDir("upgrade-instance");
    ServiceProcess instance = jar == null ? ServiceProcess.start(dir, env) : ServiceProcess.startJar(jar, dir, env, List.of());
    started.add(instance);
    return instance;
  }

  private static void awaitUp(LoadBalancer balancer, int... instances) {
    for (int i : instances) {
      balancer.awaitState(i, "UP", Duration.ofSeconds(90));
    }
  }

  /** SIGTERM, as the kubelet sends: /ready turns 503, HAProxy takes the instance out, in-flight requests finish. */
  private static void stop(List<ServiceProcess> instances, LoadBalancer balancer, int... slots) throws InterruptedException {
    instances.forEach(ServiceProcess::terminate);
    for (int slot : slots) {
      balancer.awaitState(slot, "DOWN", Duration.ofSeconds(30));
    }
    for (ServiceProcess instance : instances) {
      assertThat(instance.awaitExit(Duration.ofSeconds(40))).as(String.join("\n", instance.output())).isZero();
    }
  }

  /** The longest time a statement waited on a lock, sampled every 20 ms from pg_stat_activity. */
  private static final class LockWaits implements AutoCloseable {
    private final AtomicLong longest = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sampler;

    LockWaits(DbSettings db) {
      sampler = Thread.ofVirtual().start(() -> {
        while (running.get()) {
          long waited = (long) Double.parseDouble(Sql.value(db, """
              SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start)) * 1000, 0)
              FROM pg_stat_activity WHERE wait_event_type = 'Lock'"""));
          longest.accumulateAndGet(waited, Math::max);
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
    }

    void reset() {
      longest.set(0);
    }

    long longestMillis() {
      return longest.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      sampler.join();
    }
  }

}
