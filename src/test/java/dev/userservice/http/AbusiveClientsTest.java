package dev.userservice.http;

import static dev.userservice.support.RawHttp.readResponse;
import static dev.userservice.support.RawHttp.readsEndOfStream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.support.ApiClient;
import dev.userservice.support.RawHttp;
import dev.userservice.support.Response;
import dev.userservice.support.TestDatabase;
import dev.userservice.support.TestService;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that are slow, greedy or lying, against a service with small limits so the test is
 * quick: the limits hold, and everyone else keeps being served meanwhile.
 */
class AbusiveClientsTest {
  private static final int MAX_CONNECTIONS = 300;
  private static final long HEADER_TIMEOUT_MS = 1500;
  private static final long IDLE_TIMEOUT_MS = 4000;
  private static final long REQUEST_TIMEOUT_MS = 2000;

  private static TestService service;
  private static ApiClient api;
  private static int port;

  @BeforeAll
  static void start() {
    service = TestService.start(TestDatabase.settings(), Map.of(
        "HTTP_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS),
        "HTTP_HEADER_TIMEOUT_MS", Long.toString(HEADER_TIMEOUT_MS),
        "HTTP_IDLE_TIMEOUT_MS", Long.toString(IDLE_TIMEOUT_MS),
        "REQUEST_TIMEOUT_MS", Long.toString(REQUEST_TIMEOUT_MS)));
    api = service.api;
    port = Integer.parseInt(api.base().substring(api.base().lastIndexOf(':') + 1));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void headersSentAByteAtATimeAreCutOffWhileOthersAreServed() throws Exception {
    long id = api.createUser("slow");
    byte[] head = "GET /user/1 HTTP/1.1\r\nHost: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (Socket slow = new Socket("127.0.0.1", port)) {
      OutputStream out = slow.getOutputStream();
      long started = System.nanoTime();
      long slowestOther = 0;
      boolean cutOff = false;
      for (byte b : head) {
        try {
          out.write(b);
          out.flush();
        } catch (SocketException closedByServer) {
          cutOff = true;
          break;
        }
        long t = System.nanoTime();
        assertThat(api.get("/user/" + id).status()).isEqualTo(200);
        slowestOther = Math.max(slowestOther, (System.nanoTime() - t) / 1_000_000);
        Thread.sleep(100);
      }
      if (!cutOff) {
        cutOff = readsEndOfStream(slow, 2000);
      }
      long aliveMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("slow client: a byte every 100 ms, cut off after %d ms (header timeout %d ms); "
          + "meanwhile the slowest other request took %d ms%n", aliveMillis, HEADER_TIMEOUT_MS, slowestOther);
      assertThat(cutOff).as("the server closed the slow connection").isTrue();
      assertThat(aliveMillis).isBetween(HEADER_TIMEOUT_MS - 200, HEADER_TIMEOUT_MS + 2500);
      assertThat(slowestOther).as("others were served at once").isLessThan(1000);
    }
  }

  @Test
  void idleConnectionsPastTheLimitAreClosedAndTheRestTimeOut() throws Exception {
    double limitBefore = closedConnections("limit");
    double timeoutBefore = closedConnections("header_timeout");
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS + 100; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(1);
        idle.add(s);
      }
      // The ones past the limit are closed on arrival, well before the header timeout.
      long closedAtOnce = awaitClosed(idle, 100, HEADER_TIMEOUT_MS - 300);
      long closedAfterTimeout = awaitClosed(idle, idle.size(), HEADER_TIMEOUT_MS + 10_000);
      Response afterwards = api.get("/health");
      System.out.printf("idle connections: %d opened, %d closed at once (limit %d), %d closed after the "
          + "header timeout; then /health answered %d%n", idle.size(), closedAtOnce, MAX_CONNECTIONS,
          closedAfterTimeout, afterwards.status());
      assertThat(closedAtOnce).as("the ones past the limit").isGreaterThanOrEqualTo(100);
      assertThat(closedAfterTimeout).as("every connection that never sent a request").isEqualTo(idle.size());
      assertThat(afterwards.status()).isEqualTo(200);
      assertThat(closedConnections("limit") - limitBefore).as("counted in /metrics").isGreaterThanOrEqualTo(100);
      assertThat(closedConnections("header_timeout") - timeoutBefore).as("counted in /metrics").isGreaterThanOrEqualTo(250);
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  @Test
  void keepAliveConnectionsLeftIdleAreClosedAfterTheIdleTimeout() throws Exception {
    List<Socket> kept = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(s)).startsWith("HTTP/1.1 200");
        kept.add(s);
      }
      long lastAnswered = System.nanoTime();
      assertThat(api.get("/health").status()).as("served beside 200 idle keep-alive connections").isEqualTo(200);
      assertThat(awaitClosed(kept, 1, IDLE_TIMEOUT_MS - 1000)).as("none closed well inside the idle timeout").isZero();
      long closed = awaitClosed(kept, kept.size(), IDLE_TIMEOUT_MS + 10_000);
      long closedAfterMillis = (System.nanoTime() - lastAnswered) / 1_000_000;
      System.out.printf("keep-alive: %d idle connections, %d closed by the server %d ms after their last answer "
          + "(idle timeout %d ms)%n", kept.size(), closed, closedAfterMillis, IDLE_TIMEOUT_MS);
      assertThat(closed).isEqualTo(kept.size());
    } finally {
      for (Socket s : kept) {
        s.close();
      }
    }
  }

  @Test
  void aBodyThatAnnouncesAGigabyteIsRefusedBeforeItIsSent() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      long started = System.nanoTime();
      s.getOutputStream().write(("POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1073741824\r\n\r\n{\"username\":").getBytes(StandardCharsets.US_ASCII));
      String answer = readResponse(s);
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("1 GiB Content-Length: answered in %d ms: %s%n", millis, answer.lines().findFirst().orElse(""));
      assertThat(answer).startsWith("HTTP/1.1 413");
      assertThat(new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4)).getString("message"))
          .contains("larger than 65536 bytes");
      assertThat(millis).isLessThan(3000);
    }
    assertThat(api.get("/health").status()).isEqualTo(200);
  }

  private static double closedConnections(String reason) {
    return api.metric("http_server_connections_closed_total", "reason", reason);
  }

  @Test
  void aBodyThatStopsHalfWayIs408AndItsConnectionClosedWhileTheDatabaseIsFine() throws Exception {
    double serverErrorsBefore = serverErrors();
    try (Socket s = new Socket("127.0.0.1", port)) {
      long started = System.nanoTime();
      RawHttp.send(s, "POST /user HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 50\r\n\r\n{\"use");
      String answer = readResponse(s);
      long millis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf("5 of 50 body bytes, then nothing: answered after %d ms (request timeout %d ms): %s%n",
          millis, REQUEST_TIMEOUT_MS, answer.lines().findFirst().orElse(""));
      assertThat(answer).startsWith("HTTP/1.1 408");
      assertThat(new JsonObject(RawHttp.body(answer)).getString("message")).isEqualTo("request body not received in time");
      assertThat(RawHttp.header(answer, "connection")).isEqualToIgnoringCase("close");
      assertThat(millis).isBetween(REQUEST_TIMEOUT_MS - 100, REQUEST_TIMEOUT_MS + 3000);
      assertThat(readsEndOfStream(s, 5000)).as("the server closed the connection after the 408").isTrue();
    }
    assertThat(api.get("/health").status()).isEqualTo(200);
    assertThat(api.metric("http_server_requests_seconds_count", "status", "408")).as("counted as a 408").isPositive();
    assertThat(serverErrors()).as("not counted as a server error").isEqualTo(serverErrorsBefore);
  }

  /**
   * Waits until at least {@code wanted} of the sockets are closed by the server, or the time is up;
   * returns how many are closed then.
   */
  private static long awaitClosed(List<Socket> sockets, long wanted, long withinMillis) throws InterruptedException {
    long deadline = System.nanoTime() + withinMillis * 1_000_000;
    while (true) {
      long closed = sockets.stream().filter(s -> readsEndOfStream(s, 1)).count();
      if (closed >= wanted || System.nanoTime() > deadline) {
        return closed;
      }
      Thread.sleep(50);
    }
  }

  /** Answers with a 5xx status so far, as the dashboard's error ratio counts them. */
  private static double serverErrors() {
    return api.get("/metrics").body().lines()
        .filter(l -> l.startsWith("http_server_requests_seconds_count{") && l.matches(".*status=\"5\\d\\d\".*"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
