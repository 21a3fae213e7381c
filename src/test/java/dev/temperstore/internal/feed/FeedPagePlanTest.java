package dev.temperstore.internal.feed;

import dev.temperstore.testing.DatabaseTest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A feed page reads its own rows and no more, even on a table whose statistics still say it is empty (as they do
 * after the migration's CREATE INDEX, until autovacuum analyzes it): the planner then read every row after the
 * position and sorted them, which made a subscription behind a busy store take a core
 * (docs/decisions/0010-feed-function-plans-without-sorts.md). Both forms of a page hold to it: the feed function's
 * call and its query sent in a transaction of its own (PgFeed).
 */
class FeedPagePlanTest extends DatabaseTest {

  private static final int ROWS = 50_000;
  private static final int PAGE = 1_001;

  @Test
  void a_feed_page_fetches_about_its_own_rows_not_every_row_after_its_position() {
    database.admin().execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
        + " metadata) SELECT 'acme', 'Order', 'o-' || g, 1, 'E', '{}', '{}' FROM generate_series(1, " + ROWS + ") g");

    assertThat(rowsFetched(connection -> count(connection.query(
        "SELECT count(*) FROM temper_store_read_feed('acme', 0, 0, NULL, NULL, " + PAGE + ")").execute())))
        .isBetween((long) PAGE, 2L * PAGE);
    assertThat(rowsFetched(connection -> count(connection.query(
        "SELECT count(*) FROM temper_store_read_feed_all_tenants(0, 0, NULL, NULL, " + PAGE + ")").execute())))
        .isBetween((long) PAGE, 2L * PAGE);
    assertThat(rowsFetched(connection -> {
      connection.preparedQuery(PgFeed.SETTINGS).execute(Tuple.of("acme")).await();
      return connection.preparedQuery(PgFeed.PAGE).execute(Tuple.of("acme", 0L, 0L)
          .addArrayOfString(null).addArrayOfString(null).addInteger(PAGE)).await().size();
    })).isBetween((long) PAGE, 2L * PAGE);
  }

  private static long count(Future<RowSet<Row>> rows) {
    return rows.await().iterator().next().getLong(0);
  }

  /** Rows of {@code events} that {@code page} fetched, counted by PostgreSQL for its own transaction. */
  private long rowsFetched(ToLongFunction<SqlConnection> page) {
    Pool pool = database.asOwner().pool(vertx, 1);
    try {
      SqlConnection connection = pool.getConnection().await();
      try {
        connection.query("BEGIN").execute().await();
        long read = page.applyAsLong(connection);
        assertThat(read).isEqualTo(PAGE);
        long fetched = connection.query("SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0)"
            + " FROM pg_stat_xact_user_tables WHERE relname = 'events'").execute().await().iterator().next()
            .getLong(0);
        connection.query("ROLLBACK").execute().await();
        return fetched;
      } finally {
        connection.close().await();
      }
    } finally {
      pool.close().await();
    }
  }
}
