package dev.temperstore.testing;

import java.time.Duration;

/**
 * Waits until every event committed so far is below the feed's horizon. The horizon is the oldest transaction
 * running anywhere on the PostgreSQL server, other databases included, so a test suite sharing the server may hold
 * it back for a moment; a test that expects to read everything it wrote waits for it here first.
 */
public final class FeedHorizon {

  private static final Duration PATIENCE = Await.TIMEOUT;

  private FeedHorizon() {
  }

  /** @throws AssertionError when the horizon has not passed every event within {@link Await#TIMEOUT} */
  public static void awaitPastEveryEvent(TestDatabase database) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (database.admin().count("SELECT count(*) FROM events"
        + " WHERE coalesce(tx_id, '0'::xid8) >= pg_snapshot_xmin(pg_current_snapshot())") > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("a transaction held the feed's horizon back for " + PATIENCE.toSeconds() + " s");
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
