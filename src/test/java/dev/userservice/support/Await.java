package dev.userservice.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for something asynchronous: the condition is polled until it holds or the deadline passes. */
public final class Await {
  private Await() {
  }

  /** Returns once {@code condition} holds; fails naming {@code what} when {@code within} has passed first. */
  public static void until(String what, BooleanSupplier condition, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  /** As {@link #until}, for callers that cannot pass InterruptedException on (it becomes an IllegalStateException). */
  public static void untilOrFail(String what, BooleanSupplier condition, Duration within) {
    try {
      until(what, condition, within);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting: " + what, e);
    }
  }
}
