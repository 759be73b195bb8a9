package dev.userservice;

import dev.userservice.config.Config;
import dev.userservice.config.ConfigException;
import dev.userservice.db.DbSettings;
import dev.userservice.db.EmbeddedDatabase;
import dev.userservice.db.Migrations;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code java -jar user-service.jar}         serves the API;
 * {@code java -jar user-service.jar migrate} brings the schema up to date and exits;
 * {@code java -jar user-service.jar database} runs only the embedded PostgreSQL of DATA_DIR,
 * migrated, until stopped (for psql, benchmarks, or a second service instance);
 * {@code java -XX:AOTCacheOutput=app.aot -jar user-service.jar train} is the image build's
 * training run for the JDK's ahead-of-time cache (see {@link Training}).
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  /** The migration Job may start before its database: keep trying for about a minute. */
  private static final int MIGRATE_CONNECT_RETRIES = 30;

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    // A thread that dies of an exception would otherwise print it to stderr, outside the JSON log.
    Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
        log.atError().addKeyValue("thread", thread.getName()).setCause(e).log("uncaught exception"));
    // Netty's JFR allocation events: never used here, and loading them slows every start.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    try {
      Config config = Config.fromEnvironment();
      String command = args.length == 0 ? "serve" : args[0];
      switch (command) {
        case "serve" -> serve(config);
        case "migrate" -> migrate(config);
        case "database" -> database(config);
        case "train" -> Training.run();
        default -> {
          System.err.println("usage: java -jar user-service.jar [serve|migrate|database|train]");
          System.exit(2);
        }
      }
    } catch (ConfigException e) {
      log.error("bad configuration: {}", e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      log.error("user-service failed to start: {}", e.getMessage(), e);
      System.exit(1);
    }
  }

  private static void serve(Config config) {
    UserService service = UserService.start(config);
    stopOnSignal(service::stop);
  }

  /**
   * SIGTERM (Kubernetes) and SIGINT (Ctrl-C) run {@code stop} and exit 0; a plain shutdown hook
   * would make the JVM exit 143. The hook stays for any other exit, so the embedded database
   * always stops. {@code stop} must be safe to call twice.
   */
  private static void stopOnSignal(Runnable stop) {
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "shutdown"));
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        stop.run();
        System.exit(0);
      });
    }
  }

  private static void database(Config config) throws InterruptedException {
    EmbeddedDatabase embedded = EmbeddedDatabase.start(Path.of(config.dataDir()));
    Migrations.migrate(embedded.settings(), 0);
    var db = embedded.settings();
    log.atInfo().addKeyValue("host", db.host()).addKeyValue("port", db.port()).addKeyValue("database", db.database())
        .addKeyValue("user", db.user()).log("embedded PostgreSQL ready; stop with Ctrl-C");
    stopOnSignal(embedded::close);
    new CountDownLatch(1).await(); // nothing else keeps the JVM alive: wait for a signal
  }

  private static void migrate(Config config) {
    if (config.embeddedDatabase()) {
      try (EmbeddedDatabase embedded = EmbeddedDatabase.start(Path.of(config.dataDir()))) {
        Migrations.migrate(embedded.settings(), 0);
      }
    } else {
      Migrations.migrate(DbSettings.of(config), MIGRATE_CONNECT_RETRIES);
    }
  }
}
