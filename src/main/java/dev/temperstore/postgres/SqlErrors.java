package dev.temperstore.postgres;

import dev.temperstore.errors.StorageFailure;
import dev.temperstore.errors.StoreException;
import dev.temperstore.errors.Unavailable;
import io.vertx.pgclient.PgException;

/** Turns database and connection failures into the store's errors, by SQLSTATE and exception type. */
public final class SqlErrors {

  /** SQLSTATE 40P01: this transaction was chosen to break a deadlock; nothing of it was committed. */
  public static final String DEADLOCK_DETECTED = "40P01";
  /** SQLSTATE 40001: a serialization failure; nothing was committed. */
  public static final String SERIALIZATION_FAILURE = "40001";
  /** SQLSTATE 57014: the statement hit statement_timeout. */
  public static final String QUERY_CANCELED = "57014";

  private SqlErrors() {
  }

  /** True when the whole transaction failed for a reason that retrying it may cure. */
  public static boolean isTransient(Throwable failure) {
    return failure instanceof PgException pg
        && (DEADLOCK_DETECTED.equals(pg.getSqlState()) || SERIALIZATION_FAILURE.equals(pg.getSqlState()));
  }

  /** {@code what} names the operation, e.g. {@code append to acme:Order:o-1}. */
  public static StoreException toStoreException(String what, Throwable failure) {
    if (failure instanceof StoreException store) {
      return store;
    }
    if (failure instanceof PgException pg) {
      if (QUERY_CANCELED.equals(pg.getSqlState())) {
        return new Unavailable(what + " timed out in the database: " + pg.getMessage());
      }
      return new StorageFailure(what + " failed: " + pg.getMessage(), failure);
    }
    // Not an answer from PostgreSQL: no connection, pool exhausted, connection closed. Retry later.
    return new Unavailable("database unavailable during " + what + ": " + failure.getMessage());
  }
}
