package dev.temperstore.internal.postgres;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.SubjectForgotten;
import dev.temperstore.errors.Unavailable;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * Turns database and connection failures into the store's errors, by SQLSTATE and exception type, so that the code
 * says whose fault it was: 503 when the database is away or busy (retry later), 400 when the request's own data
 * broke a rule of the database (retrying it unchanged fails again), 500 only for what is left: our own bugs.
 */
public final class SqlErrors {

  /** The store's own SQLSTATE: an event marks a subject that was forgotten (subjects/guard.sql). */
  public static final String SUBJECT_FORGOTTEN = "TS410";
  /** The store's own SQLSTATE: an event marks a subject that has no key (a key removed behind the store's back). */
  public static final String SUBJECT_WITHOUT_KEY = "TS404";

  /** SQLSTATE 40P01: this transaction was chosen to break a deadlock; nothing of it was committed. */
  public static final String DEADLOCK_DETECTED = "40P01";
  /** A unique index refused a row. */
  public static final String UNIQUE_VIOLATION = "23505";
  /** SQLSTATE 40001: a serialization failure; nothing was committed. */
  public static final String SERIALIZATION_FAILURE = "40001";
  /** SQLSTATE 57014: the statement hit statement_timeout (or was cancelled). */
  public static final String QUERY_CANCELED = "57014";
  /** SQLSTATE 57P01: the server is shutting down (smart or fast shutdown, or pg_terminate_backend). */
  public static final String ADMIN_SHUTDOWN = "57P01";
  /** SQLSTATE 57P02: the server is restarting after a crash of another backend. */
  public static final String CRASH_SHUTDOWN = "57P02";
  /** SQLSTATE 57P03: the server is starting up or in recovery and takes no connections yet. */
  public static final String CANNOT_CONNECT_NOW = "57P03";
  /** SQLSTATE class 08: connection exception. */
  public static final String CLASS_CONNECTION_EXCEPTION = "08";
  /** SQLSTATE class 53: insufficient resources (disk full, out of memory, too many connections). */
  public static final String CLASS_INSUFFICIENT_RESOURCES = "53";
  /** SQLSTATE class 22: data exception (invalid text encoding, a NUL in a JSON string, value out of range). */
  public static final String CLASS_DATA_EXCEPTION = "22";
  /** SQLSTATE class 23: integrity constraint violation. */
  public static final String CLASS_INTEGRITY_CONSTRAINT_VIOLATION = "23";
  /** SQLSTATE class 54: program limit exceeded (an index row too large, too many arguments). */
  public static final String CLASS_PROGRAM_LIMIT_EXCEEDED = "54";
  /** SQLSTATE class 40: transaction rollback (deadlock, serialization failure). */
  public static final String CLASS_TRANSACTION_ROLLBACK = "40";

  private static final String RETRY = "; retry later";

  private SqlErrors() {
  }

  /** True when a row took a unique key that another row holds (SQLSTATE 23505). */
  public static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState());
  }

  /** True when the whole transaction failed for a reason that retrying it may cure. */
  public static boolean isTransient(Throwable failure) {
    return failure instanceof PgException pg
        && (DEADLOCK_DETECTED.equals(pg.getSqlState()) || SERIALIZATION_FAILURE.equals(pg.getSqlState()));
  }

  /**
   * True when the database is away, going away or out of resources, rather than refusing what was asked: the
   * failure says nothing about the request, so splitting a batch to find a culprit would only add load.
   */
  public static boolean isUnavailable(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = String.valueOf(pg.getSqlState());
      return state.startsWith(CLASS_CONNECTION_EXCEPTION) || state.startsWith(CLASS_INSUFFICIENT_RESOURCES)
          || state.equals(ADMIN_SHUTDOWN) || state.equals(CRASH_SHUTDOWN) || state.equals(CANNOT_CONNECT_NOW)
          || state.equals(QUERY_CANCELED) || state.startsWith(CLASS_TRANSACTION_ROLLBACK);
    }
    return isConnectionFailure(failure);
  }

  /** True when the database refused the request because of the request's own data. */
  public static boolean isCausedByRequest(Throwable failure) {
    if (failure instanceof PgException pg) {
      String state = String.valueOf(pg.getSqlState());
      return state.startsWith(CLASS_DATA_EXCEPTION) || state.startsWith(CLASS_INTEGRITY_CONSTRAINT_VIOLATION)
          || state.startsWith(CLASS_PROGRAM_LIMIT_EXCEEDED);
    }
    return false;
  }

  /** {@code what} names the operation, e.g. {@code append to acme:Order:o-1}. */
  public static StoreException toStoreException(String what, Throwable failure) {
    if (failure instanceof StoreException store) {
      return store;
    }
    if (failure instanceof PgException pg) {
      String state = String.valueOf(pg.getSqlState());
      if (SUBJECT_FORGOTTEN.equals(state)) {
        return SubjectForgotten.refused(what, pg.getDetail(), epochText(pg.getHint()));
      }
      if (SUBJECT_WITHOUT_KEY.equals(state)) {
        return new InvalidRequest(what + " refused: " + pg.getErrorMessage() + " (SQLSTATE " + state + ")");
      }
      if (QUERY_CANCELED.equals(state)) {
        return new Unavailable(what + " timed out in the database (SQLSTATE " + state + "): " + pg.getErrorMessage()
            + RETRY);
      }
      if (isUnavailable(pg)) {
        return new Unavailable("database unavailable during " + what + " (SQLSTATE " + state + "): "
            + pg.getErrorMessage() + RETRY);
      }
      if (isCausedByRequest(pg)) {
        // The server's message names the rule and the value's kind (e.g. "unsupported Unicode escape sequence",
        // "index row size 9000 exceeds maximum 2712"); the constraint, when there is one, says where.
        String constraint = pg.getConstraint() == null ? "" : ", constraint " + pg.getConstraint();
        return new InvalidRequest(what + " rejected by the database: " + pg.getErrorMessage()
            + (pg.getDetail() == null || state.startsWith(CLASS_INTEGRITY_CONSTRAINT_VIOLATION)
                ? "" : " (" + pg.getDetail() + ")")
            + " (SQLSTATE " + state + constraint + ")");
      }
      return new StorageFailure(what + " failed: " + pg.getMessage(), failure);
    }
    if (isConnectionFailure(failure)) {
      return new Unavailable("database unavailable during " + what + ": " + failure.getMessage() + RETRY);
    }
    // Neither the database nor the network: a bug of ours. Say so, keeping the cause for the log.
    return new StorageFailure("unexpected failure during " + what + ": " + failure, failure);
  }

  /** A time sent as seconds since the epoch (with a fraction), as ISO-8601; empty when there is none. */
  private static String epochText(String seconds) {
    if (seconds == null || seconds.isEmpty()) {
      return "";
    }
    try {
      java.math.BigDecimal value = new java.math.BigDecimal(seconds);
      return java.time.Instant.ofEpochSecond(value.longValue(),
          value.remainder(java.math.BigDecimal.ONE).movePointRight(9).intValue()).toString();
    } catch (RuntimeException e) {
      return seconds;
    }
  }

  /**
   * No answer from PostgreSQL at all: refused or lost connections, an unknown host, the pool's wait for a
   * connection timing out, a pool or connection already closed.
   */
  private static boolean isConnectionFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException || cause instanceof ClosedConnectionException
          || cause instanceof TimeoutException || cause instanceof io.vertx.core.VertxException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
