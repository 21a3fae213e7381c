package dev.temperstore.internal.subscriptions;

import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which subscriptions this store delivers: one session-level advisory lock per subscription, all held on one
 * dedicated connection. PostgreSQL releases them the moment that connection ends, however this process dies, so
 * another store can claim them at its next attempt. Any failure of the connection counts as losing every claim:
 * the caller stops delivering before it claims again on a new connection. Use from one context only.
 */
public final class Claims {

  private static final String TRY = "SELECT k FROM unnest($1::bigint[]) AS k WHERE pg_try_advisory_lock(k)";
  private static final String RELEASE = "SELECT pg_advisory_unlock($1)";
  private static final String ALIVE = "SELECT 1";

  private final Pool pool;
  private final Runnable onLost;
  private SqlConnection connection;

  /**
   * Statements on the claims connection are bounded by {@code statementTimeout}; {@code onLost} runs when the
   * connection closes under us (every claim is then gone), on the connection's context.
   */
  public Claims(Vertx vertx, DatabaseTarget target, Duration statementTimeout, Runnable onLost) {
    this.pool = target.pool(vertx, 1, statementTimeout);
    this.onLost = onLost;
  }

  /**
   * The lock key of a subscription: 64 bits of SHA-256 over a fixed prefix, the tenant and the name, so every
   * store computes the same key, and keys are unlikely to meet another application's advisory locks.
   */
  public static long key(String tenant, String name) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(("temper_store_subscription\u0000" + tenant + "\u0000" + name).getBytes(StandardCharsets.UTF_8));
      long key = 0;
      for (int i = 0; i < 8; i++) {
        key = (key << 8) | (digest[i] & 0xff);
      }
      return key;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Whether the claims connection is open (claims held are only as good as it). */
  public boolean connected() {
    return connection != null;
  }

  /** Tries to claim each key at once (never waits on another holder); the keys now held. */
  public Uni<Set<Long>> tryClaim(List<Long> keys) {
    if (keys.isEmpty()) {
      return Uni.createFrom().item(Set.of());
    }
    return connection().flatMap(open -> Reactive.uni(() -> open.preparedQuery(TRY)
            .execute(Tuple.of(keys.toArray(Long[]::new)))))
        .map(rows -> {
          Set<Long> claimed = new HashSet<>();
          for (Row row : rows) {
            claimed.add(row.getLong(0));
          }
          return claimed;
        })
        .onFailure().call(this::drop);
  }

  /** Gives a claim up, so that another store may take it now rather than when this connection ends. */
  public Uni<Void> release(long key) {
    if (connection == null) {
      return Uni.createFrom().voidItem();
    }
    SqlConnection open = connection;
    return Reactive.uni(() -> open.preparedQuery(RELEASE).execute(Tuple.of(key))).replaceWithVoid()
        .onFailure().call(this::drop);
  }

  /** Checks the connection with a round trip; a failure drops it (and with it, every claim). */
  public Uni<Void> alive() {
    return connection().flatMap(open -> Reactive.uni(() -> open.query(ALIVE).execute())).replaceWithVoid()
        .onFailure().call(this::drop);
  }

  /** Ends the connection, which releases every claim. */
  public Uni<Void> close() {
    return drop().chain(() -> Reactive.uni(pool::close)).onFailure().recoverWithNull().replaceWithVoid();
  }

  private Uni<SqlConnection> connection() {
    if (connection != null) {
      return Uni.createFrom().item(connection);
    }
    return Reactive.uni(pool::getConnection).invoke(opened -> {
      connection = opened;
      // Without this, a lost connection would show only at the next statement on it.
      opened.closeHandler(ignored -> {
        if (connection == opened) {
          connection = null;
          onLost.run();
        }
      });
    });
  }

  private Uni<Void> drop() {
    SqlConnection lost = connection;
    connection = null;
    if (lost == null) {
      return Uni.createFrom().voidItem();
    }
    // Closing gives the connection back to the pool, which discards a broken one; a live one is closed by
    // pool.close() or reused, and then holds no lock: the caller claims afresh.
    return Reactive.uni(lost::close).onFailure().recoverWithNull().replaceWithVoid();
  }
}
