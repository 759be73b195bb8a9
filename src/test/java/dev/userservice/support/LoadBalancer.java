package dev.userservice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's HAProxy on 127.0.0.1 in front of a fixed set of instance ports, behaving as a
 * Kubernetes Service does for new requests: an instance takes traffic only while its /ready
 * answers 200 (checked every 250 ms, out after one failure, in after one success). Instances may
 * come and go on those ports; one that is not running is simply down.
 */
public final class LoadBalancer implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process process;
  private final int port;
  private final int statsPort;
  private final Path log;

  public LoadBalancer(Path work, List<Integer> instancePorts) {
    port = Tools.freePort();
    statsPort = Tools.freePort();
    StringBuilder servers = new StringBuilder();
    for (int i = 0; i < instancePorts.size(); i++) {
      servers.append("  server i%d 127.0.0.1:%d check%n".formatted(i, instancePorts.get(i)));
    }
    try {
      Path config = work.resolve("haproxy.cfg");
      Files.writeString(config, """
          global
            maxconn 2000
          defaults
            mode http
            timeout connect 1s
            timeout client 30s
            timeout server 30s
            # Each request on a connection of its own to the instance: no idle connection reused
            # after the instance closed it (a Service is no proxy and reuses nothing either).
            option http-server-close
          frontend api
            bind 127.0.0.1:%d
            default_backend instances
          backend instances
            balance roundrobin
            option httpchk GET /ready
            http-check expect status 200
            default-server inter 250ms fall 1 rise 1
          %s
          listen stats
            bind 127.0.0.1:%d
            stats enable
            stats uri /stats
          """.formatted(port, servers, statsPort));
      log = work.resolve("haproxy.log");
      process = new ProcessBuilder("haproxy", "-db", "-f", config.toString()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Await.untilOrFail("HAProxy answers its stats page", () -> stats().contains("instances,BACKEND"), Duration.ofSeconds(20));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Waits until HAProxy sends traffic to the instance on {@code index} (UP) or no more (DOWN). */
  public void awaitState(int index, String state, Duration within) {
    Await.untilOrFail("instance i" + index + " " + state + " in HAProxy", () -> stats().lines()
        .anyMatch(line -> line.startsWith("instances,i" + index + ",") && line.split(",")[17].startsWith(state)), within);
  }

  private String stats() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
