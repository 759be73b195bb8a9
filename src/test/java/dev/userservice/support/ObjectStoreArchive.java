package dev.userservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An S3-compatible object store on 127.0.0.1 (s3rver, from npm) written by barman-cloud (Debian's
 * barman-cli-cloud): barman-cloud-wal-archive as archive_command and barman-cloud-backup for base
 * backups, which is what CloudNativePG's Barman Cloud Plugin runs in its sidecar. The store is
 * reached through a {@link TcpForwarder}, so a test can make it unreachable, and the credentials
 * are read from a file at every archive attempt, so a test can make them wrong.
 */
public final class ObjectStoreArchive implements WalArchive {
  public static final String ACCESS_KEY = "S3RVER"; // s3rver's own test account
  private static final String SECRET_KEY = "S3RVER";
  private static final String BUCKET = "backups";
  private final Path work;
  private final Process s3rver;
  private final int s3rverPort;
  private final TcpForwarder link;
  private final String destination;
  private final String serverName;
  private final List<String> s3rverOutput = new CopyOnWriteArrayList<>();
  private final Path scripts;

  public ObjectStoreArchive(Path work, String serverName) {
    this.work = work;
    this.serverName = serverName;
    this.destination = "s3://" + BUCKET + "/" + serverName;
    this.scripts = VolumeArchive.copyChartScripts(work.resolve("scripts"));
    try {
      Files.createDirectories(work.resolve("s3"));
      s3rver = new ProcessBuilder(s3rverCommand(), "-d", work.resolve("s3").toString(), "-a", "127.0.0.1", "-p", "0",
          "--configure-bucket", BUCKET).redirectErrorStream(true).start();
      Thread.ofVirtual().start(() -> s3rver.inputReader().lines().forEach(s3rverOutput::add));
      Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
      int[] port = new int[1];
      Await.untilOrFail("s3rver listens", () -> {
        if (!s3rver.isAlive()) {
          throw new IllegalStateException("s3rver exited: " + s3rverOutput);
        }
        return s3rverOutput.stream().map(listening::matcher).filter(Matcher::find).findFirst()
            .map(m -> port[0] = Integer.parseInt(m.group(1))).isPresent();
      }, Duration.ofSeconds(30));
      s3rverPort = port[0];
      link = new TcpForwarder(s3rverPort);
      setCredentials(ACCESS_KEY, SECRET_KEY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    PostgresServer.ownByPostgres(work);
  }

  /** s3rver as .ci/run installs it (S3RVER names the program), or one on the PATH. */
  public static String s3rverCommand() {
    return System.getenv().getOrDefault("S3RVER", "s3rver");
  }

  public String endpoint() {
    return "http://127.0.0.1:" + link.port();
  }

  /** The store stops answering: every connection to it is refused, as when its address is gone. */
  public void unreachable() {
    link.switchTo(Tools.freePort());
  }

  public void reachable() {
    link.switchTo(s3rverPort);
  }

  /** The credentials every later archive attempt uses (a Secret that was changed). */
  public void setCredentials(String accessKey, String secretKey) {
    try {
      Path file = work.resolve("store.env");
      Files.writeString(file, "export AWS_ACCESS_KEY_ID='%s' AWS_SECRET_ACCESS_KEY='%s'%n".formatted(accessKey, secretKey));
      PostgresServer.ownByPostgres(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "object store (barman-cloud, S3 API)";
  }

  @Override
  public String archiveCommand() {
    return ". '%s' && barman-cloud-wal-archive --gzip --endpoint-url %s %s %s %%p".formatted(
        work.resolve("store.env"), endpoint(), destination, serverName);
  }

  @Override
  public Map<String, String> serverEnv() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_DEFAULT_REGION", "us-east-1");
  }

  @Override
  public Tools.Result baseBackup(PostgresServer server) {
    return PostgresServer.runAsPostgres(serverEnv(), 600, "barman-cloud-backup", "--gzip", "--immediate-checkpoint",
        "--endpoint-url", endpoint(),
        "-h", "127.0.0.1", "-p", Integer.toString(server.port()), "-U", "postgres", destination, serverName);
  }

  @Override
  public Tools.Result restore(Path data, String target) {
    var env = new HashMap<>(serverEnv());
    env.putAll(Map.of("BACKUP_DESTINATION", destination, "BACKUP_SERVER_NAME", serverName,
        "BACKUP_ENDPOINT_URL", endpoint(), "PATH", VolumeArchive.binPath()));
    return PostgresServer.runAsPostgres(env, 600, scripts.resolve("restore.sh").toString(), data.toString(), target);
  }

  @Override
  public void close() {
    link.close();
    s3rver.destroy();
  }
}
