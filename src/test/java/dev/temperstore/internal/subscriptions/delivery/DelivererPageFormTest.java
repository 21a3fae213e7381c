package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.internal.feed.PgFeed;
import dev.temperstore.internal.subscriptions.PgSubscriptionStore;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.FeedHorizon;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.temperstore.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deliverer tells the feed whether it is at the end, so that pages behind it are read in the form that is
 * fastest for many rows and tail reads in the one that costs least for a few (docs/feed.md, "two forms").
 */
class DelivererPageFormTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final int PAGE = 100;

  @Test
  void a_deliverer_reads_behind_the_end_as_not_at_the_end_and_then_its_tail_reads_as_at_the_end() {
    Events.insertFirstEvents(database, "acme", 0, 250);
    FeedHorizon.awaitPastEveryEvent(database);
    Pool pool = database.asOwner().pool(vertx, 4);
    List<Boolean> atEnd = new CopyOnWriteArrayList<>();
    PgFeed pgFeed = new PgFeed(pool, 1_000);
    Feed recording = new Feed() {
      @Override
      public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit) {
        throw new AssertionError("a deliverer says whether it is at the end");
      }

      @Override
      public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit, boolean end) {
        atEnd.add(end);
        return pgFeed.readAll(tenant, after, filter, limit, end);
      }
    };
    PgSubscriptionStore store = new PgSubscriptionStore(pool, SubscriptionSettings.defaults());
    store.createSubscription(new Subscription("acme", "projection", "acme.projection", FeedFilter.ALL,
        FeedPosition.START)).await().atMost(TIMEOUT);
    SubscriptionRow row = store.toDeliver(10).await().atMost(TIMEOUT).get(0);
    AtomicInteger delivered = new AtomicInteger();
    vertx.eventBus().<JsonObject>consumer("acme.projection", message -> {
      delivered.addAndGet(message.body().getJsonArray("events").size());
      message.reply(new JsonObject());
    });
    // every field of a deliverer is touched only on its context: it is started and stopped there too
    Context context = vertx.getOrCreateContext();
    Deliverer deliverer = new Deliverer(vertx, context, row, recording, store,
        SubscriptionSettings.defaults(), PAGE, stale -> { });
    try {
      context.runOnContext(ignored -> deliverer.start());
      eventually(TIMEOUT, "250 delivered in 3 pages and a read at the end",
          () -> delivered.get() == 250 && atEnd.size() >= 4);
      Events.insertFirstEvents(database, "acme", 250, 1);
      eventually(TIMEOUT, "the 251st delivered", () -> delivered.get() == 251);

      assertThat(atEnd.subList(0, 3)).containsExactly(false, false, false); // 100, 100, then 50 of 250
      assertThat(atEnd.subList(3, atEnd.size())).isNotEmpty().containsOnly(true);
    } finally {
      Promise<Void> stopped = Promise.promise();
      context.runOnContext(ignored -> deliverer.stop().onComplete(stopped));
      stopped.future().await();
    }
  }
}
