package dev.userservice.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.Collections;

/**
 * Every setting the service reads, taken from environment variables once at start.
 * The names and defaults of the first block are the public contract; the rest are
 * operational knobs with safe defaults.
 */
public record Config(
    int port,
    String bindAddress,
    Optional<String> dbHost,
    int dbPort,
    String dbName,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    String dataDir,
    boolean migrateOnStart,
    Duration dbConnectTimeout,
    Duration dbPoolWait,
    int dbPoolMaxWaiting,
    Duration requestTimeout,
    Duration readyTimeout,
    Duration idleTimeout,
    int maxConnections,
    Duration headerTimeout,
    Duration shutdownDrain,
    Duration shutdownTimeout,
    int retryAfterSeconds,
    RequestLog requestLog,
    String logLevel,
    Duration idempotencyTtl,
    Duration idempotencyCleanupPeriod,
    Auth auth) {

  /** API 1.2: bearer tokens of an OpenID Connect provider (AUTH_MODE=oidc), or none (off). */
  public record Auth(boolean enabled, String issuer, String audience, String adminRole, Duration jwksRefresh) {
  }

  public static Config fromEnvironment() {
    return from(System.getenv());
  }

  public static Config from(Map<String, String> env) {
    return from(new EnvReader(env, new TreeSet<>()));
  }

  private static Config from(EnvReader reader) {
    int cpus = Runtime.getRuntime().availableProcessors();
    Optional<String> dbHost = reader.optional("DB_HOST");
    // Four per core: enough connections that a commit waiting on fsync holds up few of the
    // queries queued behind it (measured in bench/ before the pool pipelined: 2 per core lost a
    // third of mixed req/s).
    int poolSize = reader.integer("DB_POOL_SIZE", Math.max(4, cpus * 4), 1, 1000);
    return new Config(
        reader.integer("PORT", 8080, 0, 65535),
        reader.string("BIND_ADDRESS", "0.0.0.0"),
        dbHost,
        reader.integer("DB_PORT", 5432, 1, 65535),
        reader.string("DB_NAME", "users"),
        reader.string("DB_USER", "users"),
        reader.string("DB_PASSWORD", ""),
        poolSize,
        reader.string("DATA_DIR", "data"),
        // The embedded database is this process's own, so nobody else would migrate it.
        reader.bool("MIGRATE_ON_START", dbHost.isEmpty()),
        reader.millis("DB_CONNECT_TIMEOUT_MS", 2000),
        reader.millis("DB_POOL_WAIT_MS", 1000),
        reader.integer("DB_POOL_MAX_WAITING", poolSize * 64, 0, 1_000_000),
        reader.millis("REQUEST_TIMEOUT_MS", 5000),
        // Below the 1 s a Kubernetes probe waits by default.
        reader.millis("READY_TIMEOUT_MS", 800),
        // Longer than the 60 s an ingress-nginx upstream keeps an idle connection, so the
        // proxy closes first and never reuses a connection the service is closing.
        reader.millis("HTTP_IDLE_TIMEOUT_MS", 75_000),
        // Open connections at once, over all event loops; past it a new connection is closed.
        // An idle connection costs a few KiB, so this stays well inside a 384 MiB container.
        reader.integer("HTTP_MAX_CONNECTIONS", 4096, 1, 1_000_000),
        // A new connection must deliver a whole request head within this, so a client that sends
        // nothing, or a byte now and then, cannot hold a connection for as long as it likes.
        reader.millis("HTTP_HEADER_TIMEOUT_MS", 10_000),
        reader.millis("SHUTDOWN_DRAIN_MS", 5000),
        reader.millis("SHUTDOWN_TIMEOUT_MS", 20000),
        reader.integer("RETRY_AFTER_SECONDS", 1, 0, 3600),
        RequestLog.valueOf(reader.oneOf("REQUEST_LOG", "ERRORS", "ALL", "ERRORS", "OFF")),
        // Applied by logging/JsonLogging; read here too so that a typo fails at start.
        reader.oneOf("LOG_LEVEL", "INFO", "TRACE", "DEBUG", "INFO", "WARN", "ERROR"),
        reader.duration("IDEMPOTENCY_TTL", Duration.ofHours(24)),
        // How often expired keys are removed; they stop counting the moment they expire.
        Duration.ofMillis(reader.integer("IDEMPOTENCY_CLEANUP_MS", 60_000, 1, 3_600_000)),
        auth(reader));
  }

  private static Auth auth(EnvReader reader) {
    boolean enabled = reader.oneOf("AUTH_MODE", "OFF", "OFF", "OIDC").equals("OIDC");
    String issuer = reader.string("OIDC_ISSUER", "");
    if (enabled && !(issuer.startsWith("http://") || issuer.startsWith("https://"))) {
      throw new ConfigException("OIDC_ISSUER must be the provider's issuer URL (http:// or https://) when AUTH_MODE is oidc"
          + (issuer.isEmpty() ? "" : ", got '" + issuer + "'"));
    }
    return new Auth(enabled, issuer, reader.string("OIDC_AUDIENCE", "user-service"),
        reader.string("OIDC_ADMIN_ROLE", "user-admin"), reader.duration("OIDC_JWKS_REFRESH", Duration.ofMinutes(5)));
  }

  /** Every environment variable the service reads, taken from the reader itself so it cannot drift. */
  public static Set<String> variableNames() {
    var reader = new EnvReader(Map.of(), new TreeSet<>());
    from(reader);
    return Collections.unmodifiableSet(reader.names());
  }

  public boolean embeddedDatabase() {
    return dbHost.isEmpty();
  }

  /** Never print the password: this is what ends up in logs. */
  @Override
  public String toString() {
    return "Config[port=%d, bindAddress=%s, db=%s:%d/%s, dbUser=%s, dbPassword=%s, poolSize=%d, migrateOnStart=%s, auth=%s]"
        .formatted(port, bindAddress, dbHost.orElse("embedded"), dbPort, dbName, dbUser,
            dbPassword.isEmpty() ? "(none)" : "(set)", dbPoolSize, migrateOnStart,
            auth.enabled() ? "oidc " + auth.issuer() : "off");
  }

  /** Reads and checks variables, failing with the variable's name so a typo is found at once. */
  private record EnvReader(Map<String, String> env, Set<String> names) {

    Optional<String> optional(String name) {
      names.add(name);
      String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String string(String name, String fallback) {
      return optional(name).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
      return optional(name).map(text -> {
        try {
          int value = Integer.parseInt(text);
          if (value < min || value > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + text);
          }
          return value;
        } catch (NumberFormatException e) {
          throw new ConfigException(name + " must be a whole number, got '" + text + "'");
        }
      }).orElse(fallback);
    }

    Duration millis(String name, int fallback) {
      return Duration.ofMillis(integer(name, fallback, 0, 3_600_000));
    }

    String oneOf(String name, String fallback, String... allowed) {
      String value = string(name, fallback).toUpperCase();
      if (!java.util.Arrays.asList(allowed).contains(value)) {
        throw new ConfigException(name + " must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
      }
      return value;
    }

    /** An ISO-8601 duration (PT24H) or a whole number of seconds; more than zero. */
    Duration duration(String name, Duration fallback) {
      return optional(name).map(text -> {
        Duration value;
        try {
          value = text.matches("\\d{1,12}") ? Duration.ofSeconds(Long.parseLong(text)) : Duration.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
          throw new ConfigException(name + " must be an ISO-8601 duration such as PT24H or a number of seconds, got '"
              + text + "'");
        }
        if (value.isNegative() || value.isZero()) {
          throw new ConfigException(name + " must be longer than zero, got '" + text + "'");
        }
        return value;
      }).orElse(fallback);
    }

    boolean bool(String name, boolean fallback) {
      return optional(name).map(text -> switch (text.toLowerCase()) {
        case "true", "1", "yes" -> true;
        case "false", "0", "no" -> false;
        default -> throw new ConfigException(name + " must be true or false, got '" + text + "'");
      }).orElse(fallback);
    }
  }
}
