package dev.temperstore.feed.subscriptions;

import dev.temperstore.internal.subscriptions.LocalWakeups;
import dev.temperstore.testing.Await;

import dev.temperstore.client.StoreClient;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.EventLimits;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.feed.PgFeed;
import dev.temperstore.internal.subscriptions.delivery.SubscriptionDeliveries;
import dev.temperstore.internal.subscriptions.FeedNotifier;
import dev.temperstore.internal.subscriptions.PgSubscriptionStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static dev.temperstore.testing.Eventually.eventually;
import static dev.temperstore.testing.Eventually.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which deliverers a commit wakes, through the real append path (batcher, notifier, local bus): those of the
 * tenants it wrote. Deliverers poll only every 60 s here, so every read counted after the first was a wake-up's.
 */
class TenantWakeupsTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final SubscriptionSettings SLOW_POLL = SubscriptionSettings.defaults()
      .withIntervals(Duration.ofSeconds(60), Duration.ofMillis(300), Duration.ofMillis(100));

  private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
  private Pool pool;
  private Context context;
  private FeedNotifier notifier;
  private SubscriptionDeliveries deliveries;

  @BeforeEach
  void pool() {
    pool = database.asOwner().pool(vertx, 4, Duration.ofSeconds(10));
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void close() {
    if (deliveries != null) {
      onContext(() -> deliveries.close());
    }
    if (notifier != null) {
      onContext(() -> {
        notifier.close();
        return io.vertx.core.Future.succeededFuture();
      });
    }
    pool.close().await();
  }

  @Test
  void appends_of_one_tenant_wake_the_deliverers_of_that_tenant_and_leave_the_others_unread() {
    PgSubscriptionStore subscriptions = new PgSubscriptionStore(pool, SLOW_POLL);
    subscriptions.createSubscription(new Subscription("busy", "feed", "app.busy", FeedFilter.ALL,
        FeedPosition.START)).await().atMost(TIMEOUT);
    subscriptions.createSubscription(new Subscription("quiet", "feed", "app.quiet", FeedFilter.ALL,
        FeedPosition.START)).await().atMost(TIMEOUT);
    StoreClient consumerSide = StoreClient.create(vertx);
    Recorder busy = Recorder.acking(vertx).listen(consumerSide, "app.busy");
    Recorder quiet = Recorder.acking(vertx).listen(consumerSide, "app.quiet");
    EventStore events = startStore(subscriptions);
    eventually(TIMEOUT, "both subscriptions claimed and read once", () -> reads("busy") > 0 && reads("quiet") > 0
        && deliveries.delivering().containsAll(java.util.Set.of("busy:feed", "quiet:feed")));
    pause(Duration.ofMillis(400)); // past the notifier's first check of the subscriptions
    int busyBefore = reads("busy");
    int quietBefore = reads("quiet");

    PersistenceId stream = PersistenceId.parse("busy:Order:o-1");
    for (int sequence = 0; sequence < 10; sequence++) {
      events.append(stream, sequence, Events.events(1)).await().atMost(TIMEOUT);
      pause(Duration.ofMillis(40)); // past the tail-read gap: each commit may set off a read
    }

    eventually(TIMEOUT, "the busy tenant's events delivered on wake-ups, not at the 60 s poll",
        () -> busy.positions().size() == 10);
    assertThat(reads("busy")).as("reads of the busy tenant's feed").isGreaterThan(busyBefore);
    assertThat(reads("quiet")).as("reads of the quiet tenant's feed").isEqualTo(quietBefore);
    assertThat(quiet.positions()).isEmpty();

    events.append(PersistenceId.parse("quiet:Order:o-1"), 0, Events.events(1)).await().atMost(TIMEOUT);
    eventually(TIMEOUT, "the quiet tenant woken by its own append", () -> quiet.positions().size() == 1);
    assertThat(reads("quiet")).isGreaterThan(quietBefore);
  }

  /** The store's append and delivery parts, wired as {@code StoreVerticle} wires them, on one context. */
  private EventStore startStore(PgSubscriptionStore subscriptions) {
    Feed counting = new CountingFeed(new PgFeed(pool, 1000));
    LocalWakeups local = new LocalWakeups(vertx, "test.feed.appended");
    return onContextValue(() -> {
      notifier = new FeedNotifier(vertx, pool, subscriptions, local, Duration.ofMillis(5), Duration.ofMillis(300));
      deliveries = new SubscriptionDeliveries(vertx, context, database.asOwner(), subscriptions, counting, SLOW_POLL,
          1000, Duration.ofSeconds(5), new SimpleMeterRegistry(), "test.subscriptions.changed", local);
      deliveries.start();
      return new PgEventStore(pool, context, EventLimits.defaults(), notifier::appended);
    });
  }

  private int reads(String tenant) {
    return reads.computeIfAbsent(tenant, t -> new AtomicInteger()).get();
  }

  /** The feed as the store reads it, counting each tenant's reads. */
  private final class CountingFeed implements Feed {
    private final Feed feed;

    CountingFeed(Feed feed) {
      this.feed = feed;
    }

    @Override
    public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit) {
      reads.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
      return feed.readAll(tenant, after, filter, limit);
    }

    @Override
    public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit, boolean atEnd) {
      reads.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
      return feed.readAll(tenant, after, filter, limit, atEnd);
    }
  }

  private <T> T onContextValue(Supplier<T> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(ignored -> done.complete(action.get()));
    return done.future().await();
  }

  private void onContext(Supplier<io.vertx.core.Future<Void>> action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(done));
    done.future().await();
  }
}
