package dev.temperstore.testing;

import io.smallrye.mutiny.Uni;

import java.time.Duration;

/**
 * Waiting for a result from a test's thread, with one bound for the whole suite: every wait's limit derives from
 * {@link #TIMEOUT}, so a slow machine is answered by changing one number. A wait that hits it fails the test; none
 * is meant to come near it.
 */
public final class Await {

  /** The most one wait for the store (a reply, a delivery, a condition) may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** The most a wait for a separate JVM process (start, migration, shutdown) may take. */
  public static final Duration PROCESS_TIMEOUT = TIMEOUT.multipliedBy(2);

  private Await() {
  }

  public static <T> T await(Uni<T> uni) {
    return uni.await().atMost(TIMEOUT);
  }
}
