package dev.temperstore.errors;

import io.vertx.core.json.JsonObject;

/**
 * 409: an append or snapshot lost an optimistic-concurrency race or named a stale sequence. Re-read and decide;
 * retrying the same request unchanged fails again (unless it is the very same append, which is idempotent).
 */
public final class ConcurrencyConflict extends StoreException {

  public static final int CODE = 409;

  private final String persistenceId;
  private final long expected;
  private final long actual;

  public ConcurrencyConflict(String persistenceId, long expected, long actual) {
    super("optimistic concurrency violation: expected sequence " + expected + ", got " + actual
        + " (stream: " + persistenceId + ")", null);
    this.persistenceId = persistenceId;
    this.expected = expected;
    this.actual = actual;
  }

  /** A conflict whose message is not the stream's position (snapshots: same sequence, other bytes). */
  public ConcurrencyConflict(String persistenceId, long expected, long actual, String message) {
    super(message, null);
    this.persistenceId = persistenceId;
    this.expected = expected;
    this.actual = actual;
  }

  public String persistenceId() {
    return persistenceId;
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }

  @Override
  public int code() {
    return CODE;
  }

  @Override
  public JsonObject toJson() {
    return super.toJson().put("persistenceId", persistenceId).put("expected", expected).put("actual", actual);
  }
}
