package dev.userservice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.OtlpReceiver;
import dev.userservice.support.ServiceProcess;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestIssuer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged service with accounts on, every request logged at DEBUG and every span exported:
 * no bearer token, valid or not, appears in a log line, a span or /metrics. A JWT is three
 * base64url parts: each part of each token sent is looked for.
 */
class TokensNeverShownIT {

  @Test
  void noTokenInLogsSpansOrMetrics() throws Exception {
    try (TestIssuer issuer = new TestIssuer(); OtlpReceiver receiver = new OtlpReceiver()) {
      var env = new HashMap<>(ServiceProcess.env(TestDatabase.settings(), "REQUEST_LOG", "all", "LOG_LEVEL", "DEBUG",
          "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100"));
      env.putAll(issuer.serviceEnv("60"));
      try (ServiceProcess service = ServiceProcess.start(ServiceProcess.workDir("tokens"), env)) {
        ApiClient api = service.awaitApi();
        Await.until("ready with the issuer's keys", () -> api.get("/ready").status() == 200, Duration.ofSeconds(30));
        String valid = issuer.token("shown-" + System.nanoTime());
        String expired = issuer.token("shown", c -> c.expirationTime(new java.util.Date(0)));
        String tampered = valid.substring(0, valid.length() - 6) + "AAAAAA";
        List<String> sent = List.of(valid, expired, tampered, "not-a-jwt-but-secret-looking-0123456789");
        assertThat(api.request("POST", "/user", "{\"username\":\"shown\"}".getBytes(), "authorization", "Bearer " + valid,
            "content-type", "application/json").status()).isIn(200, 409);
        for (String token : sent) {
          api.request("GET", "/user/me", null, "authorization", "Bearer " + token);
        }
        String metrics = api.get("/metrics").body();
        receiver.await(span -> span.getName().startsWith("GET /user/me"), Duration.ofSeconds(20));

        List<String> fragments = new ArrayList<>();
        for (String token : sent) {
          for (String part : token.split("\\.")) {
            if (part.length() >= 16) {
              fragments.add(part);
            }
          }
        }
        String output = String.join("\n", service.output());
        String spans = receiver.spans().toString();
        for (String fragment : fragments) {
          assertThat(output).as("log lines").doesNotContain(fragment);
          assertThat(spans).as("spans").doesNotContain(fragment);
          assertThat(metrics).as("/metrics").doesNotContain(fragment);
        }
        assertThat(output).as("the subject is named instead").contains("\"subject\":\"shown-");
        System.out.printf("tokens never shown: %d fragments of %d tokens looked for in %d log lines, %d spans and "
            + "/metrics%n", fragments.size(), sent.size(), service.output().size(), receiver.spans().size());
      }
    }
  }
}
