package dev.userservice.http;

/**
 * At most one log line a second for an event that can happen thousands of times a second (a
 * refused connection, a request failed for want of the database): writing each would slow the
 * very event loop that is overloaded. One per event loop, so it needs no locking.
 */
final class LogThrottle {
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private long lastLineNanos = System.nanoTime() - INTERVAL_NANOS;
  private long eventsSinceLastLine;

  /** Counts one event; returns how many happened since the last line when a line is due, else 0. */
  long count() {
    eventsSinceLastLine++;
    long now = System.nanoTime();
    if (now - lastLineNanos < INTERVAL_NANOS) {
      return 0;
    }
    long events = eventsSinceLastLine;
    lastLineNanos = now;
    eventsSinceLastLine = 0;
    return events;
  }
}
