package dev.userservice.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.MixedLoad;
import dev.userservice.support.MixedLoad.Sample;
import dev.userservice.support.RestartablePostgres;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.WriteLedger;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every line the process writes, on stdout and stderr alike, is one JSON object, also while its
 * database goes away under load (the server's "terminating connection" message, writes to
 * closed sockets) and while it shuts down with the database gone.
 */
class JsonLinesUnderFaultsIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @Test
  void everyLineIsOneJsonObjectThroughRestartsAndShutdown() throws Exception {
    try (RestartablePostgres postgres = new RestartablePostgres();
         ServiceProcess service = ServiceProcess.start(ServiceProcess.workDir("json-lines"),
             ServiceProcess.env(postgres.settings(), "REQUEST_LOG", "all", "REQUEST_TIMEOUT_MS", "2000",
                 "DB_CONNECT_TIMEOUT_MS", "1000", "SHUTDOWN_DRAIN_MS", "500"),
             ServiceProcess.CONTAINER_JVM)) {
      ApiClient api = service.awaitApi();
      MixedLoad load = MixedLoad.start(api, new WriteLedger("json-lines-"), 8, Duration.ofMillis(2));
      for (int round = 1; round <= 2; round++) {
        int before = load.samples().size();
        Await.until("answers before outage " + round, () -> countOk(load.samples(), before) > 200, DEADLINE);
        postgres.stop(); // a fast shutdown: every backend sends FATAL 57P01 to its client
        int stopped = load.samples().size();
        Await.until("failures during outage " + round, () -> {
          List<Sample> samples = load.samples();
          return samples.subList(stopped, samples.size()).stream().anyMatch(s -> !s.ok());
        }, DEADLINE);
        postgres.start();
        Await.until("ready after outage " + round, () -> api.get("/ready").status() == 200, DEADLINE);
      }
      int beforeLast = load.samples().size();
      Await.until("answers before the last outage", () -> countOk(load.samples(), beforeLast) > 200, DEADLINE);
      postgres.stop();
      service.terminate(); // SIGTERM with the database gone and clients still sending
      int exit = service.awaitExit(DEADLINE);
      load.stop();
      postgres.start();

      List<String> lines = service.output();
      List<String> notJson = new ArrayList<>();
      for (String line : lines) {
        try {
          new JsonObject(line);
        } catch (DecodeException e) {
          notJson.add(line);
        }
      }
      System.out.printf("JSON lines under faults: %d lines written, %d not JSON, exit %d%n",
          lines.size(), notJson.size(), exit);
      assertThat(lines).as("the service logged the outages").anyMatch(l -> l.contains("database unavailable"));
      assertThat(notJson).as("lines of stdout and stderr that are not one JSON object").isEmpty();
      assertThat(exit).isZero();
    }
  }

  private static long countOk(List<Sample> samples, int from) {
    return samples.subList(from, samples.size()).stream().filter(Sample::ok).count();
  }

}
