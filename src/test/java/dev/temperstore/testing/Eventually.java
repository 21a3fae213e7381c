package dev.temperstore.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Waiting, from a test's thread, for what happens on event loops. */
public final class Eventually {

  private Eventually() {
  }

  /** Polls {@code condition} every 20 ms until it holds; fails naming {@code what} once {@code timeout} passed. */
  public static void eventually(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        assertThat(condition.getAsBoolean()).as(what + " within " + timeout.toMillis() + " ms").isTrue();
      }
      pause(Duration.ofMillis(20));
    }
  }

  /** Lets {@code duration} pass, for what should (or should not) happen on the event loops meanwhile. */
  public static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
