package dev.userservice.logging;

import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line a second for an event that can happen thousands of times a second (a
 * refused connection, a request failed for want of the database, a connection failure of the
 * database client, a failed fetch of the token provider's keys): writing each would slow the very
 * thread that is overloaded. Safe to share between threads; the event loops keep one each anyway.
 */
public final class LogThrottle {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final AtomicLong lastLineNanos = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
  private final AtomicLong eventsSinceLastLine = new AtomicLong();

  /** Counts one event; returns how many happened since the last line when a line is due, else 0. */
  public long count() {
    eventsSinceLastLine.incrementAndGet();
    long last = lastLineNanos.get();
    long now = System.nanoTime();
    if (now - last < INTERVAL_NANOS || !lastLineNanos.compareAndSet(last, now)) {
      return 0;
    }
    return eventsSinceLastLine.getAndSet(0);
  }
}
