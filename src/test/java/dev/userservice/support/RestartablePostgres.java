package dev.userservice.support;

import dev.userservice.db.DbSettings;
import dev.userservice.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** A PostgreSQL of a test's own that can be stopped and started again on the same port and data. */
public final class RestartablePostgres implements AutoCloseable {
  private final Path dataDir;
  private final Path runtimeDir;
  private final int port;
  private EmbeddedPostgres server;

  public RestartablePostgres() {
    try {
      Path root = Files.createDirectories(Path.of("target", "restartable-postgres"));
      dataDir = Files.createTempDirectory(root, "data");
      runtimeDir = Files.createDirectories(root.resolve("runtime"));
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    start();
    Migrations.migrate(settings(), 0);
  }

  public DbSettings settings() {
    return new DbSettings("127.0.0.1", port, "postgres", "postgres", "");
  }

  public void start() {
    try {
      server = EmbeddedPostgres.builder()
          .setPort(port)
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setOverrideWorkingDirectory(runtimeDir.toFile())
          .setServerConfig("listen_addresses", "127.0.0.1")
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void stop() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
