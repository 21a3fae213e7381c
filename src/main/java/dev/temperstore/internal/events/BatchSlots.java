package dev.temperstore.internal.events;

/**
 * How many append statements a batcher may have in flight. While every request it holds (in flight or queued) can
 * have a statement of its own, up to {@code max}: a few writers' appends then go out at once, each a lone INSERT,
 * rather than each waiting for the commit before it. Beyond that, one: appends then gather into the largest batches
 * and the fewest commits, which is what PostgreSQL's CPU allows most of. Measured on 2 cores with two store
 * instances (docs/decisions/0026-statements-in-flight-under-light-load.md): four statements in flight appended 21-49%
 * more than one at 8 clients, but less at 16 (batches of two) and a third to two thirds less at 64, where every extra
 * statement is a commit more for the same events. Decided by the requests held now, not by the sizes of past batches:
 * an average of those kept a batcher that once gathered batches of four gathering them for good, even when its four
 * writers could each have had a slot (docs/decisions/0031-slots-by-requests-held.md).
 */
public final class BatchSlots {

  private final int max;

  /** @param max statements in flight at most, under light load */
  BatchSlots(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one batch in flight, got " + max);
    }
    this.max = max;
  }

  /** Statements that may be in flight now, with {@code held} requests in flight or queued. */
  int allowed(int held) {
    return held <= max ? max : 1;
  }
}
