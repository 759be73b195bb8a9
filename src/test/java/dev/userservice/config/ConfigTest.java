package dev.userservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void defaultsFollowTheContract() {
    Config config = Config.from(Map.of());
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.dbHost()).isEmpty();
    assertThat(config.embeddedDatabase()).isTrue();
    assertThat(config.dbPort()).isEqualTo(5432);
    assertThat(config.dbName()).isEqualTo("users");
    assertThat(config.dbUser()).isEqualTo("users");
    assertThat(config.dbPassword()).isEmpty();
    assertThat(config.dbPoolSize()).isGreaterThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.migrateOnStart()).as("the embedded database migrates itself").isTrue();
  }

  @Test
  void externalDatabaseIsNotMigratedByTheServerUnlessAsked() {
    assertThat(Config.from(Map.of("DB_HOST", "db")).migrateOnStart()).isFalse();
    assertThat(Config.from(Map.of("DB_HOST", "db", "MIGRATE_ON_START", "true")).migrateOnStart()).isTrue();
  }

  @Test
  void readsEveryContractVariable() {
    Config config = Config.from(Map.of("PORT", "9000", "BIND_ADDRESS", "127.0.0.1", "DB_HOST", "pg",
        "DB_PORT", "6543", "DB_NAME", "n", "DB_USER", "u", "DB_PASSWORD", "p", "DB_POOL_SIZE", "7"));
    assertThat(config).extracting(Config::port, Config::bindAddress, Config::dbPort, Config::dbName,
        Config::dbUser, Config::dbPassword, Config::dbPoolSize).containsExactly(9000, "127.0.0.1", 6543, "n", "u", "p", 7);
    assertThat(config.dbHost()).contains("pg");
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> Config.from(Map.of("PORT", "http"))).hasMessageContaining("PORT");
    assertThatThrownBy(() -> Config.from(Map.of("DB_POOL_SIZE", "0"))).hasMessageContaining("DB_POOL_SIZE");
    assertThatThrownBy(() -> Config.from(Map.of("MIGRATE_ON_START", "maybe"))).hasMessageContaining("MIGRATE_ON_START");
  }

  @Test
  void requestLogModes() {
    assertThat(Config.from(Map.of()).requestLog()).isEqualTo(RequestLog.ERRORS);
    assertThat(Config.from(Map.of("REQUEST_LOG", "all")).requestLog()).isEqualTo(RequestLog.ALL);
    assertThatThrownBy(() -> Config.from(Map.of("REQUEST_LOG", "some"))).hasMessageContaining("REQUEST_LOG");
    assertThat(RequestLog.ERRORS.logs(200, 1_000_000)).isFalse();
    assertThat(RequestLog.ERRORS.logs(404, 1_000_000)).isTrue();
    assertThat(RequestLog.ERRORS.logs(503, 1_000_000)).isTrue();
    assertThat(RequestLog.ERRORS.logs(200, 2_000_000_000L)).as("slow").isTrue();
    assertThat(RequestLog.ALL.logs(200, 1)).isTrue();
    assertThat(RequestLog.OFF.logs(500, 1)).isFalse();
  }

  @Test
  void passwordNeverAppearsInToString() {
    Config config = Config.from(Map.of("DB_HOST", "db", "DB_PASSWORD", "hunter2-secret"));
    assertThat(config.toString()).doesNotContain("hunter2-secret");
  }
}
