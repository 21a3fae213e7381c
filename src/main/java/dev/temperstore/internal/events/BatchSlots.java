package dev.temperstore.internal.events;

/**
 * How many append statements a batcher may have in flight, read from the batches it has been sending. Under light
 * load, while nearly every batch is a lone append, up to {@code max}: a few writers' appends then go out at once,
 * rather than each waiting for the commit before it. Once batches average {@link #LOADED} requests or more, one:
 * appends then gather into the largest batches and the fewest commits, which is what PostgreSQL's CPU allows most
 * of. Measured on 2 cores with two store instances (docs/decisions/0026-statements-in-flight-under-light-load.md):
 * four statements in flight appended 21-49% more than one at 8 clients, but less at 16 (batches of two) and a third to
 * two thirds less at 64, where every extra statement is a commit more for the same events. Not thread-safe: the
 * batcher's context only.
 */
public final class BatchSlots {

  /**
   * Requests per batch, on average, from which the load counts as heavy: at 8 clients on two instances (4 slots
   * each) batches stayed at one; at 16 they averaged 2, and a mark of 2 flipped between the two modes.
   */
  static final double LOADED = 1.5;
  /** The weight of each new batch in the average: about the last eight batches count. */
  private static final double WEIGHT = 1.0 / 8;

  private final int max;
  private double requestsPerBatch = 1;

  /** @param max statements in flight at most, under light load */
  BatchSlots(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one batch in flight, got " + max);
    }
    this.max = max;
  }

  /** Statements that may be in flight now. */
  int allowed() {
    return requestsPerBatch < LOADED ? max : 1;
  }

  /** A batch of {@code requests} queued requests is being sent (a multi-stream request counts once). */
  void sent(int requests) {
    requestsPerBatch += WEIGHT * (requests - requestsPerBatch);
  }
}
