package dev.temperstore.errors;

import io.vertx.core.json.JsonObject;

/**
 * A failure the store reports to its caller, with a stable code (the event bus failure code, HTTP-like).
 * Expected failures carry no stack trace: their message says everything.
 */
public abstract sealed class StoreException extends RuntimeException
    permits InvalidRequest, NotFound, ConcurrencyConflict, TooLarge, OverBudget, StorageFailure, Unavailable,
    Unauthenticated, Forbidden, StreamTombstoned, SubjectForgotten {

  protected StoreException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** The code sent as the {@code ReplyException} failure code. */
  public abstract int code();

  /** The failure as sent over the bus: {@code {"code":…, "message":…}} plus any typed fields. */
  public JsonObject toJson() {
    return new JsonObject().put("code", code()).put("message", getMessage());
  }
}
