package dev.temperstore.feed;

import dev.temperstore.internal.feed.PgFeed;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link FeedOrderTest}'s cases with every page read in the streamed form (the feed function's query in a
 * pipelined transaction), which the store uses for long pages: the same order, horizon, filters and tenant.
 */
class StreamedFeedOrderTest extends FeedOrderTest {

  private Pool pool;

  @Override
  protected Feed feed() {
    pool = database.asOwner().pool(vertx, 2);
    return new PgFeed(pool, 1_000, 1);
  }

  @AfterEach
  void closePool() {
    pool.close().await();
  }
}
