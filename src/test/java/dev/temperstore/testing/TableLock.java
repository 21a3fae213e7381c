package dev.temperstore.testing;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;

/**
 * A lock in a test database, held by the superuser in an open transaction, so that store statements needing it wait
 * in PostgreSQL until it is released: ACCESS EXCLUSIVE on one table, or one stream position taken by an uncommitted
 * event.
 */
public final class TableLock implements AutoCloseable {

  private static final Duration WAIT = Await.TIMEOUT;

  private final TestDatabase database;
  private final Pool pool;
  private final SqlConnection connection;
  private boolean released;

  private TableLock(TestDatabase database, Pool pool, SqlConnection connection) {
    this.database = database;
    this.pool = pool;
    this.connection = connection;
  }

  public static TableLock hold(Vertx vertx, TestDatabase database, String table) {
    Pool pool = database.asSuperuser().pool(vertx, 1);
    SqlConnection connection = pool.getConnection().await();
    connection.query("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").execute().await();
    return new TableLock(database, pool, connection);
  }

  /** An uncommitted event at {@code sequence} of a stream: an append writing that position waits for it. */
  public static TableLock holdEventPosition(Vertx vertx, TestDatabase database, String tenant, String entityType,
                                            String entityId, long sequence) {
    Pool pool = database.asSuperuser().pool(vertx, 1);
    SqlConnection connection = pool.getConnection().await();
    connection.query("BEGIN").execute().await();
    connection.preparedQuery("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
            + " metadata) VALUES ($1, $2, $3, $4, 'Blocker', '{}', '{}')")
        .execute(Tuple.of(tenant, entityType, entityId, sequence)).await();
    return new TableLock(database, pool, connection);
  }

  /** Returns once {@code count} backends of {@code role} wait for a lock: polled, never a blind sleep. */
  public void awaitWaiters(String role, int count) {
    awaitWaiters(database, role, count);
  }

  /** Returns once {@code count} backends of {@code role} in {@code database} wait for a lock, whoever holds it. */
  public static void awaitWaiters(TestDatabase database, String role, int count) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (database.admin().count("SELECT count(*) FROM pg_stat_activity WHERE usename = $1"
        + " AND datname = current_database() AND wait_event_type = 'Lock'", role) < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(count + " backends of " + role + " never waited for the lock");
      }
      Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(20)).await().indefinitely();
    }
  }

  public void release() {
    if (!released) {
      released = true;
      connection.query("ROLLBACK").execute().await();
    }
  }

  @Override
  public void close() {
    try {
      release();
      connection.close().await();
    } finally {
      pool.close().await();
    }
  }
}
