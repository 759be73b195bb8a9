package dev.userservice.http;

import dev.userservice.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the {@link ConnectionGuard}s of all event loops share: the limits, the count of open
 * connections (so the limit holds for the whole process) and the counters of connections closed
 * by each limit.
 */
public record ConnectionLimits(int max, Duration headerTimeout, AtomicInteger open, Counter closedAtLimit,
    Counter closedForSlowHead) {

  public static ConnectionLimits of(int max, Duration headerTimeout, Metrics metrics) {
    var open = new AtomicInteger();
    metrics.openConnections(open);
    return new ConnectionLimits(max, headerTimeout, open, metrics.closedConnections("limit"),
        metrics.closedConnections("header_timeout"));
  }
}
