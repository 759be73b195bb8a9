package dev.userservice.http;

import static dev.userservice.support.RawHttp.readResponse;
import static dev.userservice.support.RawHttp.readsEndOfStream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.Await;
import dev.userservice.support.RawHttp;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * During the drain that follows SIGTERM, answers carry {@code Connection: close} and the server
 * closes each connection after its answer: a client's next request opens a new connection
 * (which a load balancer sends elsewhere) instead of landing on a kept-alive one as it closes.
 */
class DrainTest {
  /** Long enough for the requests below to land inside it on a loaded machine. */
  private static final long DRAIN_MS = 6000;

  @Test
  void answersDuringTheDrainCloseTheirConnection() throws Exception {
    TestService service = TestService.start(TestDatabase.settings(), Map.of("SHUTDOWN_DRAIN_MS", Long.toString(DRAIN_MS)));
    Thread stopping = null;
    try {
      ApiClient api = service.api;
      int port = Integer.parseInt(api.base().substring(api.base().lastIndexOf(':') + 1));
      try (Socket before = new Socket("127.0.0.1", port)) {
        RawHttp.send(before, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        String answer = readResponse(before);
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(RawHttp.header(answer, "connection")).as("kept alive before the drain").isNull();
        assertThat(readsEndOfStream(before, 200)).isFalse();

        stopping = Thread.ofPlatform().start(service::close);
        Await.until("/ready says 503 once the drain starts", () -> api.get("/ready").status() == 503,
            Duration.ofSeconds(3));

        // The connection kept alive from before the drain, and a new one opened during it.
        RawHttp.send(before, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        String kept = readResponse(before);
        try (Socket during = new Socket("127.0.0.1", port)) {
          RawHttp.send(during, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
          String fresh = readResponse(during);
          for (String answerDuringDrain : new String[] {kept, fresh}) {
            assertThat(answerDuringDrain).startsWith("HTTP/1.1 200");
            assertThat(RawHttp.header(answerDuringDrain, "connection")).isEqualToIgnoringCase("close");
          }
          assertThat(readsEndOfStream(during, 2000)).as("closed by the server after its answer").isTrue();
        }
        assertThat(readsEndOfStream(before, 2000)).as("closed by the server after its answer").isTrue();
      }
    } finally {
      if (stopping == null) {
        service.close();
      } else {
        stopping.join(Duration.ofSeconds(60));
      }
    }
  }
}
