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
}
