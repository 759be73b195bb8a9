package dev.userservice.support;

import dev.userservice.UserService;
import dev.userservice.config.Config;
import dev.userservice.db.DbSettings;
import dev.userservice.tracing.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.HashMap;
import java.util.Map;

/** The real service, in this JVM, on 127.0.0.1 and a free port, over a real PostgreSQL. */
public final class TestService implements AutoCloseable {
  private final UserService service;
  public final ApiClient api;

  private TestService(UserService service) {
    this.service = service;
    this.api = new ApiClient("http://127.0.0.1:" + service.port());
  }

  public static TestService start() {
    return start(TestDatabase.settings(), Map.of());
  }

  public static TestService start(DbSettings db, Map<String, String> overrides) {
    return start(db, overrides, Tracing.fromEnvironment(Map.of()));
  }

  /** With an OpenTelemetry of the test's own, such as one exporting to memory. */
  public static TestService start(DbSettings db, Map<String, String> overrides, OpenTelemetrySdk openTelemetry) {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "0");
    env.put("BIND_ADDRESS", "127.0.0.1");
    env.put("DB_HOST", db.host());
    env.put("DB_PORT", Integer.toString(db.port()));
    env.put("DB_NAME", db.database());
    env.put("DB_USER", db.user());
    env.put("DB_PASSWORD", db.password());
    env.put("MIGRATE_ON_START", "false");
    env.put("SHUTDOWN_DRAIN_MS", "0");
    env.put("REQUEST_LOG", "off");
    env.putAll(overrides);
    return new TestService(UserService.start(Config.from(env), openTelemetry));
  }

  @Override
  public void close() {
    service.stop();
  }
}
