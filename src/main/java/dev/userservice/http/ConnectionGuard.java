package dev.userservice.http;

import dev.userservice.logging.LogThrottle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits what a connection may cost before it has asked for anything: at most {@code max} open
 * connections over all event loops (a new one past that is closed at once), and a whole request
 * head within {@code headerTimeout} of connecting (Vert.x has no such timeout of its own, and its
 * idle timeout restarts with every byte, so a client trickling a byte a second would stay forever).
 * One guard per event loop; only the count is shared.
 */
final class ConnectionGuard {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Vertx vertx;
  private final ConnectionLimits limits;
  // Touched only on this guard's event loop.
  private final Set<HttpConnection> awaitingFirstRequest = Collections.newSetFromMap(new IdentityHashMap<>());
  private final LogThrottle refusedLog = new LogThrottle();

  ConnectionGuard(Vertx vertx, ConnectionLimits limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  void onConnection(HttpConnection connection) {
    AtomicInteger open = limits.open();
    if (open.incrementAndGet() > limits.max()) {
      open.decrementAndGet();
      connection.close();
      limits.closedAtLimit().increment();
      long refused = refusedLog.count();
      if (refused > 0) {
        log.atWarn().addKeyValue("maxConnections", limits.max()).addKeyValue("refused", refused)
            .log("connection limit reached: new connections are closed");
      }
      return;
    }
    connection.closeHandler(closed -> {
      open.decrementAndGet();
      awaitingFirstRequest.remove(connection);
    });
    long headerTimeoutMs = limits.headerTimeout().toMillis();
    if (headerTimeoutMs > 0) {
      awaitingFirstRequest.add(connection);
      vertx.setTimer(headerTimeoutMs, timer -> {
        if (awaitingFirstRequest.remove(connection)) {
          connection.close();
          limits.closedForSlowHead().increment();
        }
      });
    }
  }

  /** Called with each request once its head is complete. */
  void onRequest(HttpServerRequest request) {
    if (!awaitingFirstRequest.isEmpty()) {
      awaitingFirstRequest.remove(request.connection());
    }
  }
}
