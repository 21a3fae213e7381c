package dev.temperstore.internal.feed;

import dev.temperstore.errors.StoreException;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.TableLock;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A page read in the streamed form runs in a transaction of its own on a pooled connection: whatever became of the
 * page, the connection goes back to the pool with that transaction ended and nothing it set still in force, so
 * the next statement on it (another tenant's, say) starts clean.
 */
class StreamedFeedPageTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;

  private Pool pool;
  private PgFeed feed;

  @BeforeEach
  void aTenantWithThreeEventsAndAPoolOfOneConnection() {
    Events.insertFirstEvents(database, "acme", 0, 3);
    FeedHorizon.awaitPastEveryEvent(database);
    pool = database.asOwner().pool(vertx, 1, Duration.ofMillis(300));
    feed = new PgFeed(pool, 1_000, 1);
  }

  @AfterEach
  void closePool() {
    pool.close().await();
  }

  @Test
  void after_a_streamed_page_its_connection_has_no_tenant_no_plan_setting_and_no_open_transaction() {
    assertThat(feed.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10).await().atMost(TIMEOUT).events())
        .hasSize(3);

    assertConnectionClean();
  }

  @Test
  void a_streamed_page_that_fails_ends_its_transaction_and_its_connection_serves_the_next_page() {
    try (TableLock lock = TableLock.hold(vertx, database, "events")) {
      assertThatThrownBy(() -> feed.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10).await().atMost(TIMEOUT))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("feed read of tenant acme");
    }

    assertConnectionClean();
    assertThat(feed.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10).await().atMost(TIMEOUT).events())
        .hasSize(3);
  }

  /** On the pool's one connection: no tenant, the default plan settings, a statement in a transaction of its own. */
  private void assertConnectionClean() {
    Row row = pool.query("SELECT coalesce(current_setting('app.current_tenant', true), '') AS tenant,"
        + " current_setting('enable_sort') AS sort, now() = statement_timestamp() AS fresh").execute().await()
        .iterator().next();
    assertThat(row.getString("tenant")).isEmpty();
    assertThat(row.getString("sort")).isEqualTo("on");
    assertThat(row.getBoolean("fresh")).isTrue();
  }
}
