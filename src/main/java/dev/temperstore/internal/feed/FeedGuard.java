package dev.temperstore.internal.feed;

import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

/**
 * Refuses to serve a feed whose order this PostgreSQL cluster cannot keep: rows restored from another cluster whose
 * transaction ids run ahead of this one's (see {@code feed-guard.sql}).
 */
public final class FeedGuard {

  private FeedGuard() {
  }

  /** Fails with {@link IllegalStateException} saying what happened and what to do, when the order is broken. */
  public static Uni<Void> check(Pool pool) {
    return Reactive.uni(() -> pool.query("SELECT newest_tx, next_tx FROM temper_store_feed_guard()").execute())
        .map(rows -> {
          Row row = rows.iterator().next();
          Long newest = row.getLong("newest_tx");
          long next = row.getLong("next_tx");
          if (newest != null && newest >= next) {
            throw new IllegalStateException("the feed's order is broken: events were written by transaction "
                + newest + ", but this PostgreSQL cluster has only reached transaction " + next + ". The data was"
                + " restored from another cluster (a logical restore), so new events would sort below old ones and"
                + " feed readers would miss them. As the tables' owner, run"
                + " UPDATE events SET tx_id = NULL WHERE tx_id IS NOT NULL (the restored events then come first,"
                + " in id order) and reset subscriptions to the start; see docs/feed.md");
          }
          return null;
        })
        .replaceWithVoid();
  }
}
