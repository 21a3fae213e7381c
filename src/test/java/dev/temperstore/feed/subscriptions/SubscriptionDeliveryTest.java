package dev.temperstore.feed.subscriptions;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.bus.DeliverySender;
import dev.temperstore.internal.subscriptions.FeedWakeups;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.MigratedDatabase;
import dev.temperstore.testing.OutOfOrderWriters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Eventually.eventually;
import static dev.temperstore.testing.Eventually.pause;
import static org.assertj.core.api.Assertions.assertThat;

/** Delivery of durable subscriptions against a real PostgreSQL: order, completeness, restarts, takeover, credit. */
class SubscriptionDeliveryTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  /** Claims every 300 ms: the takeover bound these tests hold the store to. */
  private static final SubscriptionSettings FAST = SubscriptionSettings.defaults()
      .withIntervals(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(100))
      .withDeliveryTimeout(Duration.ofSeconds(5));
  /** As {@link #FAST}, but polling only every 60 s: what comes sooner was woken. */
  private static final SubscriptionSettings SLOW_POLL = FAST.withIntervals(Duration.ofSeconds(60),
      Duration.ofMillis(300), Duration.ofMillis(100));

  private StoreSettings settings(SubscriptionSettings subscriptions) {
    return StoreSettings.defaults(database.asOwner()).withSubscriptions(subscriptions);
  }

  @Test
  void every_event_committed_out_of_order_is_delivered_once_in_stream_order_and_the_checkpoint_reaches_the_end() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(8)), registry)).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = Recorder.acking(vertx).listen(client, "app.orders");
    await(client.createSubscription(new Subscription("acme", "orders", "app.orders", FeedFilter.entityTypes("Order"),
        FeedPosition.START)));
    await(client.append(PersistenceId.parse("acme:Invoice:i-1"), 0, Events.events(3))); // filtered out

    List<String> committed = writeOutOfOrder(5, 12);

    eventually(TIMEOUT, "every committed event delivered", () -> consumer.positions().size() == committed.size());
    List<String> delivered = consumer.received().stream()
        .map(e -> ((io.vertx.core.json.JsonObject) e.event().payload()).getString("id")).toList();
    assertThat(delivered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(committed);
    consumer.sequencesByStream().values().forEach(sequences ->
        assertThat(sequences).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 12).boxed().toList()));
    FeedPosition last = lastPosition(client, FeedFilter.entityTypes("Order"));
    eventually(TIMEOUT, "checkpoint saved at the last event", () -> checkpoint("orders").equals(last));
    eventually(TIMEOUT, "lag gauge at zero with the subscription's tags", () -> {
      Gauge gauge = registry.find("temper.store.subscription.lag.events").tags("tenant", "acme",
          "subscription", "orders").gauge();
      return gauge != null && gauge.value() == 0;
    });
    assertThat(registry.find("temper.store.subscription.lag.seconds").tags("tenant", "acme",
        "subscription", "orders").gauge()).isNotNull();
  }

  @Test
  void out_of_order_commits_are_all_delivered_in_stream_order_across_a_store_restarted_mid_way() {
    String first = vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(8)))).await();
    Torture torture = tortureUnderWay("app.torture-restart", 11);

    vertx.undeploy(first).await();
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(8)))).await();

    assertEveryCommitDeliveredInStreamOrder(torture.consumer(), torture.writing().join(), 15);
  }

  @Test
  void out_of_order_commits_are_all_delivered_in_stream_order_across_every_store_connection_cut_mid_way() {
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(8)))).await();
    Torture torture = tortureUnderWay("app.torture-cut", 13);

    long terminated = database.admin().count("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM"
        + " (SELECT pid FROM pg_stat_activity WHERE usename = $1 AND datname = $2 OFFSET 0) store",
        database.owner(), database.name());

    assertThat(terminated).as("the store's connections cut").isGreaterThanOrEqualTo(2);
    assertEveryCommitDeliveredInStreamOrder(torture.consumer(), torture.writing().join(), 15);
  }

  private record Torture(Recorder consumer, CompletableFuture<List<String>> writing) {
  }

  /**
   * A subscription to {@code address} delivering while six out-of-order writers append 15 events each, once some
   * deliveries are in. The writers connect as another role than the store's, so that cutting the store's
   * connections (as a PostgreSQL restart looks to it) spares them.
   */
  private Torture tortureUnderWay(String address, long seed) {
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = Recorder.acking(vertx).listen(client, address);
    await(client.createSubscription(new Subscription("acme", "torture", address, FeedFilter.ALL, FeedPosition.START)));
    CompletableFuture<List<String>> writing = OutOfOrderWriters.start(vertx, database.asSuperuser(), 6, 15, seed, 30);
    eventually(TIMEOUT, "deliveries under way", () -> consumer.positions().size() >= 20);
    return new Torture(consumer, writing);
  }

  /** Every committed event delivered (some perhaps twice), and each stream's first deliveries in order. */
  private void assertEveryCommitDeliveredInStreamOrder(Recorder consumer, List<String> committed, int perStream) {
    eventually(TIMEOUT, "every committed event delivered", () -> consumer.positions().size() == committed.size());
    consumer.stop(); // this class's Vert.x outlives the test: another consumer at the address would take batches
    Set<FeedPosition> firstTime = new HashSet<>();
    List<FeedEvent> firsts = consumer.received().stream().filter(event -> firstTime.add(event.position())).toList();
    assertThat(firsts.stream().map(e -> ((io.vertx.core.json.JsonObject) e.event().payload()).getString("id")))
        .containsExactlyInAnyOrderElementsOf(committed);
    Map<String, List<Long>> streams = new java.util.LinkedHashMap<>();
    firsts.forEach(event -> streams.computeIfAbsent(event.persistenceId().toString(), id -> new java.util.ArrayList<>())
        .add(event.event().sequenceNr()));
    assertThat(streams).hasSize(committed.size() / perStream);
    streams.values().forEach(sequences ->
        assertThat(sequences).isEqualTo(java.util.stream.LongStream.rangeClosed(1, perStream).boxed().toList()));
  }

  @Test
  void a_caught_up_subscription_is_woken_by_a_store_of_its_own_process_at_once_without_notifying_postgresql() {
    StoreVerticle store = new StoreVerticle(settings(SLOW_POLL));
    vertx.deployVerticle(store).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = Recorder.acking(vertx).listen(client, "app.here");
    await(client.createSubscription(new Subscription("acme", "here", "app.here", FeedFilter.ALL, FeedPosition.START)));
    eventually(TIMEOUT, "the subscription claimed here", () -> store.delivering().contains("acme:here"));
    // its first, empty read is done, and the notifier's next check (every claim interval) saw who delivers it
    pause(Duration.ofMillis(900));
    AtomicInteger notifications = listen(vertx);

    await(client.append(PersistenceId.parse("acme:Order:here"), 0, Events.events(1)));
    eventually(Duration.ofSeconds(10), "delivered at once, not at the 60 s poll", () -> consumer.positions().size() == 1);
    await(client.append(PersistenceId.parse("acme:Order:here"), 1, Events.events(1)));
    eventually(Duration.ofSeconds(10), "and again", () -> consumer.positions().size() == 2);

    pause(Duration.ofMillis(200));
    assertThat(notifications.get()).as("NOTIFYs on " + FeedWakeups.CHANNEL).isZero();
  }

  @Test
  void a_caught_up_subscription_delivered_by_another_process_is_woken_by_a_notification_long_before_its_next_poll() {
    Vertx elsewhere = Vertx.vertx(); // another process, as far as the stores can tell: its own bus and shared data
    try {
      StoreVerticle deliverer = new StoreVerticle(settings(SLOW_POLL));
      elsewhere.deployVerticle(deliverer).await();
      Recorder consumer = Recorder.acking(elsewhere).listen(StoreClient.create(elsewhere), "app.there");
      vertx.deployVerticle(new StoreVerticle(settings(SLOW_POLL.withEnabled(false)))).await();
      StoreClient appender = StoreClient.create(vertx);
      await(appender.createSubscription(new Subscription("acme", "there", "app.there", FeedFilter.ALL,
          FeedPosition.START)));
      eventually(TIMEOUT, "the subscription claimed elsewhere", () -> deliverer.delivering().contains("acme:there"));
      pause(Duration.ofMillis(900));
      AtomicInteger notifications = listen(vertx);

      await(appender.append(PersistenceId.parse("acme:Order:there"), 0, Events.events(1)));

      eventually(Duration.ofSeconds(10), "delivered on the notification, not at the 60 s poll",
          () -> consumer.positions().size() == 1);
      assertThat(notifications.get()).as("NOTIFYs on " + FeedWakeups.CHANNEL).isPositive();
    } finally {
      elsewhere.close().await();
    }
  }

  /** Counts the notifications on the feed's channel in this test's database from now on. */
  private AtomicInteger listen(Vertx vertx) {
    AtomicInteger count = new AtomicInteger();
    PgSubscriber subscriber = PgSubscriber.subscriber(vertx, database.asOwner().options());
    subscriber.channel(FeedWakeups.CHANNEL).handler(payload -> count.incrementAndGet());
    subscriber.connect().await();
    return count;
  }

  @Test
  void a_subscription_created_or_reset_through_this_process_is_acted_on_at_once_not_at_the_next_claim_round() {
    SubscriptionSettings slowClaims = FAST.withIntervals(Duration.ofMillis(200), Duration.ofSeconds(60),
        Duration.ofMillis(100));
    StoreVerticle store = new StoreVerticle(settings(slowClaims));
    vertx.deployVerticle(store).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = Recorder.acking(vertx).listen(client, "app.prompt");
    await(client.append(PersistenceId.parse("acme:Order:prompt"), 0, Events.events(2)));
    pause(Duration.ofMillis(300)); // the store's first claim round, at its start, found nothing

    await(client.createSubscription(new Subscription("acme", "prompt", "app.prompt", FeedFilter.ALL,
        FeedPosition.START)));
    eventually(Duration.ofSeconds(10), "delivered long before the 60 s claim round",
        () -> consumer.positions().size() == 2);

    await(client.resetSubscription("acme", "prompt", FeedPosition.START));
    eventually(Duration.ofSeconds(10), "the reset replayed at once", () -> consumer.received().size() == 4);
  }

  @Test
  void a_redeployed_store_resumes_from_the_saved_checkpoint_losing_nothing_and_repeating_only_what_follows_it() {
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = new Recorder(vertx, Duration.ofMillis(3), event -> false).listen(client, "app.all");
    String first = vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(4)))).await();
    await(client.createSubscription(new Subscription("acme", "all", "app.all", FeedFilter.ALL, FeedPosition.START)));
    for (int stream = 0; stream < 4; stream++) {
      for (int batch = 0; batch < 5; batch++) {
        await(client.append(PersistenceId.parse("acme:Order:s" + stream), batch * 10L, Events.events(10)));
      }
    }

    eventually(TIMEOUT, "some deliveries", () -> consumer.received().size() >= 40);
    vertx.undeploy(first).await();
    FeedPosition saved = checkpoint("all");
    List<FeedEvent> before = consumer.received();
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(4)))).await();

    eventually(TIMEOUT, "all 200 events delivered", () -> consumer.positions().size() == 200);
    assertThat(saved).isNotEqualTo(FeedPosition.START);
    assertThat(before.size()).isLessThan(200);
    List<FeedEvent> after = consumer.received().subList(before.size(), consumer.received().size());
    assertThat(after).allSatisfy(event -> assertThat(event.position()).isGreaterThan(saved));
    Set<FeedPosition> seen = new HashSet<>();
    for (FeedEvent event : consumer.received()) {
      if (!seen.add(event.position())) {
        assertThat(event.position()).as("a repeated event is one after the saved checkpoint").isGreaterThan(saved);
      }
    }
    assertThat(before.stream().filter(e -> e.position().compareTo(saved) <= 0).count())
        .as("everything up to the checkpoint was delivered before the redeploy").isEqualTo(countUpTo(client, saved));
    assertInStreamOrder(after);
    eventually(TIMEOUT, "checkpoint saved at the last event",
        () -> checkpoint("all").equals(lastPosition(client, FeedFilter.ALL)));
  }

  @Test
  void of_two_replicas_exactly_one_delivers_and_when_it_closes_the_other_takes_over_within_the_claim_interval() {
    Vertx one = Vertx.vertx();
    Vertx two = Vertx.vertx();
    try {
      one.deployVerticle(new StoreVerticle(settings(FAST))).await();
      two.deployVerticle(new StoreVerticle(settings(FAST))).await();
      StoreClient client = StoreClient.create(one);
      Recorder onOne = Recorder.acking(one).listen(client, "app.audit");
      Recorder onTwo = Recorder.acking(two).listen(StoreClient.create(two), "app.audit");
      await(client.createSubscription(new Subscription("acme", "audit", "app.audit", FeedFilter.ALL,
          FeedPosition.START)));
      for (int i = 0; i < 20; i++) {
        await(client.append(PersistenceId.parse("acme:Order:o-" + (i % 3)), i / 3, Events.events(1)));
      }

      eventually(TIMEOUT, "20 events delivered", () -> onOne.positions().size() + onTwo.positions().size() >= 20);
      Thread.sleep(FAST.claimInterval().toMillis() * 3); // several claim rounds: the other must stay out
      boolean oneDelivers = !onOne.received().isEmpty();
      Recorder owner = oneDelivers ? onOne : onTwo;
      Recorder other = oneDelivers ? onTwo : onOne;
      assertThat(owner.positions()).hasSize(20);
      assertThat(other.received()).isEmpty();
      assertThat(advisoryLocks()).isEqualTo(1);

      long closed = System.nanoTime();
      (oneDelivers ? one : two).close().await();
      StoreClient survivor = StoreClient.create(oneDelivers ? two : one);
      for (int i = 20; i < 30; i++) {
        await(survivor.append(PersistenceId.parse("acme:Order:o-" + (i % 3)), i / 3, Events.events(1)));
      }
      eventually(TIMEOUT, "the other replica delivers the rest", () -> other.positions().size() >= 10);
      long tookOverMillis = (System.nanoTime() - closed) / 1_000_000;

      assertThat(tookOverMillis).as("takeover time").isLessThan(FAST.claimInterval().toMillis() + 2_000);
      Set<FeedPosition> all = new HashSet<>(owner.positions());
      all.addAll(other.positions());
      assertThat(all).hasSize(30);
      assertThat(other.received()).allSatisfy(event -> assertThat(event.event().sequenceNr()).isGreaterThan(6));
      assertInStreamOrder(other.received());
      eventually(TIMEOUT, "checkpoint saved at the last event",
          () -> checkpoint("audit").equals(lastPosition(survivor, FeedFilter.ALL)));
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    } finally {
      one.close().await();
      two.close().await();
    }
  }

  @Test
  void a_slow_consumer_has_at_most_the_credit_in_flight_and_slows_neither_other_subscriptions_nor_requests() {
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(4)))).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder slow = new Recorder(vertx, Duration.ofMillis(100), event -> false).listen(client, "app.slow");
    Recorder fast = Recorder.acking(vertx).listen(client, "app.fast");
    await(client.createSubscription(new Subscription("acme", "slow", "app.slow", FeedFilter.ALL, FeedPosition.START)));
    await(client.createSubscription(new Subscription("acme", "fast", "app.fast", FeedFilter.ALL, FeedPosition.START)));
    for (int i = 0; i < 40; i++) {
      await(client.append(PersistenceId.parse("acme:Order:o-" + i), 0, Events.events(1)));
    }

    eventually(TIMEOUT, "the fast subscription has everything", () -> fast.positions().size() == 40);
    long started = System.nanoTime();
    await(client.append(PersistenceId.parse("acme:Order:late"), 0, Events.events(1)));
    await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 100));
    long requestMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(slow.positions().size()).as("the slow one is still behind").isLessThan(40);
    assertThat(requestMillis).as("an append and a read beside a slow consumer").isLessThan(1_000);
    eventually(TIMEOUT, "the slow subscription has everything", () -> slow.positions().size() == 41);
    assertThat(slow.mostUnanswered()).isEqualTo(4);
  }

  @Test
  void a_consumer_too_slow_to_answer_a_full_batch_within_the_timeout_still_gets_everything_in_smaller_batches() {
    // 8 events of one stream take this consumer 8 x 150 ms, past the 500 ms delivery timeout: every full batch
    // times out, and sent again in full it would time out for ever, the checkpoint never moving
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(8)
        .withDeliveryTimeout(Duration.ofMillis(500))))).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder slow = new Recorder(vertx, Duration.ofMillis(150), event -> false).listen(client, "app.slower");
    await(client.createSubscription(new Subscription("acme", "slower", "app.slower", FeedFilter.ALL,
        FeedPosition.START)));
    await(client.append(PersistenceId.parse("acme:Order:one-stream"), 0, Events.events(16)));

    FeedPosition last = lastPosition(client, FeedFilter.ALL);
    eventually(Duration.ofSeconds(30), "the checkpoint at the last event", () -> checkpoint("slower").equals(last));
    assertThat(slow.positions()).hasSize(16);
    Set<FeedPosition> seen = new HashSet<>();
    assertInStreamOrder(slow.received().stream().filter(event -> seen.add(event.position())).toList());
  }

  @Test
  void a_bus_consumer_failing_its_batches_with_504_gets_them_halved_and_one_nacking_them_gets_them_whole() {
    // 504 says "not answered in time" (what a relay that gave up waiting for its consumer replies): a timeout,
    // though it comes at once; any other failure is a nack, which has the batch sent again as it was.
    vertx.deployVerticle(new StoreVerticle(settings(FAST))).await();
    StoreClient client = StoreClient.create(vertx);
    List<Integer> unanswered = failingConsumer("app.unanswered", DeliverySender.UNANSWERED);
    List<Integer> nacked = failingConsumer("app.nacked", 503);
    await(client.append(PersistenceId.parse("acme:Order:o-1"), 0, Events.events(8))); // one commit: one batch
    await(client.createSubscription(new Subscription("acme", "unanswered", "app.unanswered", FeedFilter.ALL,
        FeedPosition.START)));
    await(client.createSubscription(new Subscription("acme", "nacked", "app.nacked", FeedFilter.ALL,
        FeedPosition.START)));

    eventually(TIMEOUT, "five deliveries to each", () -> unanswered.size() >= 5 && nacked.size() >= 5);

    assertThat(unanswered.subList(0, 5)).as("batch sizes failed with 504").containsExactly(8, 4, 2, 1, 1);
    assertThat(nacked.subList(0, 5)).as("batch sizes nacked").containsExactly(8, 8, 8, 8, 8);
  }

  /** A raw bus consumer at {@code address} that fails every batch with {@code failureCode}: the batches' sizes. */
  private List<Integer> failingConsumer(String address, int failureCode) {
    List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(address, message -> {
      sizes.add(message.body().getJsonArray("events").size());
      message.fail(failureCode, "failed by the test");
    });
    return sizes;
  }

  @Test
  void a_refused_delivery_comes_again_with_its_batch_after_the_delay_and_its_stream_waits_for_it() {
    vertx.deployVerticle(new StoreVerticle(settings(FAST))).await();
    StoreClient client = StoreClient.create(vertx);
    Set<FeedPosition> refusedOnce = Collections.synchronizedSet(new HashSet<>());
    Recorder consumer = new Recorder(vertx, Duration.ZERO, event -> event.event().sequenceNr() == 3
        && refusedOnce.add(event.position())).listen(client, "app.retry");
    await(client.createSubscription(new Subscription("acme", "retry", "app.retry", FeedFilter.ALL,
        FeedPosition.START)));
    await(client.append(PersistenceId.parse("acme:Order:a"), 0, Events.events(6)));
    await(client.append(PersistenceId.parse("acme:Order:b"), 0, Events.events(6)));

    eventually(TIMEOUT, "all 12 events acknowledged", () -> consumer.positions().size() == 12
        && checkpoint("retry").equals(lastPosition(client, FeedFilter.ALL)));

    // The refusal fails its whole batch: the batch comes again from its first event, so a stream may repeat
    // events before the refused one, but never sees one after it before the refused one came again.
    consumer.sequencesByStream().forEach((stream, sequences) -> {
      long highest = 0;
      for (long sequence : sequences) {
        assertThat(sequence).as(stream + " never skips ahead: " + sequences).isLessThanOrEqualTo(highest + 1);
        highest = Math.max(highest, sequence);
      }
      assertThat(sequences).as(stream).containsAll(List.of(1L, 2L, 3L, 4L, 5L, 6L));
      assertThat(sequences.stream().filter(sequence -> sequence == 3L).count()).as(stream + " refused once")
          .isGreaterThanOrEqualTo(2);
      int refused = sequences.indexOf(3L);
      assertThat(sequences.indexOf(4L)).as(stream + ": 4 only after the refused 3 came again: " + sequences)
          .isGreaterThan(sequences.subList(refused + 1, sequences.size()).indexOf(3L) + refused + 1);
    });
  }

  @Test
  void a_reset_replays_from_the_new_position_and_a_deleted_subscription_is_no_longer_delivered() {
    vertx.deployVerticle(new StoreVerticle(settings(FAST))).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = Recorder.acking(vertx).listen(client, "app.replay");
    await(client.createSubscription(new Subscription("acme", "replay", "app.replay", FeedFilter.ALL,
        FeedPosition.START)));
    await(client.append(PersistenceId.parse("acme:Order:a"), 0, Events.events(5)));
    eventually(TIMEOUT, "5 delivered", () -> consumer.received().size() == 5);
    FeedPosition afterTwo = consumer.received().get(1).position();

    await(client.resetSubscription("acme", "replay", afterTwo));

    eventually(TIMEOUT, "events 3 to 5 delivered again", () -> consumer.received().size() == 8);
    assertThat(consumer.sequencesByStream().get("acme:Order:a")).containsExactly(1L, 2L, 3L, 4L, 5L, 3L, 4L, 5L);
    eventually(TIMEOUT, "checkpoint back at the end", () -> checkpoint("replay").equals(
        lastPosition(client, FeedFilter.ALL)));

    await(client.deleteSubscription("acme", "replay"));
    eventually(TIMEOUT, "claim released", () -> advisoryLocks() == 0);
    await(client.append(PersistenceId.parse("acme:Order:a"), 5, Events.events(1)));
    assertThat(consumer.received()).hasSize(8);
  }

  @Test
  void when_every_connection_to_postgresql_is_cut_delivery_resumes_on_new_ones_and_nothing_is_lost() {
    vertx.deployVerticle(new StoreVerticle(settings(FAST.withCredit(4)))).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = new Recorder(vertx, Duration.ofMillis(3), event -> false).listen(client, "app.outage");
    await(client.createSubscription(new Subscription("acme", "outage", "app.outage", FeedFilter.ALL,
        FeedPosition.START)));
    for (int i = 0; i < 10; i++) {
      await(client.append(PersistenceId.parse("acme:Order:o-" + (i % 4)), i / 4 * 10L, Events.events(10)));
    }
    eventually(TIMEOUT, "some deliveries", () -> consumer.received().size() >= 30);

    // As a PostgreSQL restart looks to the store: the claims, LISTEN and pool connections all end at once.
    long terminated = database.admin().count("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM"
        + " (SELECT pid FROM pg_stat_activity WHERE usename = $1 AND datname = $2 OFFSET 0) store",
        database.owner(), database.name());
    eventually(TIMEOUT, "a write after the cut", () -> {
      try {
        await(client.append(PersistenceId.parse("acme:Order:after"), 0, Events.events(5)));
        return true;
      } catch (RuntimeException unavailable) {
        return false;
      }
    });

    assertThat(terminated).isGreaterThanOrEqualTo(3);
    eventually(TIMEOUT, "all 105 events delivered", () -> consumer.positions().size() == 105);
    eventually(TIMEOUT, "checkpoint saved at the last event",
        () -> checkpoint("outage").equals(lastPosition(client, FeedFilter.ALL)));
    Set<FeedPosition> firstTime = new HashSet<>();
    assertInStreamOrder(consumer.received().stream().filter(event -> firstTime.add(event.position())).toList());
  }

  @Test
  void a_runtime_role_with_only_the_granted_privileges_discovers_claims_delivers_and_checkpoints() {
    String role = MigratedDatabase.createServingRole(database);
    StoreSettings granted = StoreSettings.defaults(database.asOwner()).withServing(database.as(role)).withPoolSize(2)
        .withSubscriptions(FAST);
    vertx.deployVerticle(new StoreVerticle(granted)).await();
    StoreClient client = StoreClient.create(vertx);
    Recorder consumer = Recorder.acking(vertx).listen(client, "app.granted");
    await(client.createSubscription(new Subscription("acme", "granted", "app.granted", FeedFilter.ALL,
        FeedPosition.START)));
    await(client.createSubscription(new Subscription("other", "granted", "app.other", FeedFilter.ALL,
        FeedPosition.START)));

    await(client.append(PersistenceId.parse("acme:Order:o-1"), 0, Events.events(3)));

    eventually(TIMEOUT, "3 events delivered", () -> consumer.positions().size() == 3);
    eventually(TIMEOUT, "checkpoint saved", () -> checkpoint("granted").equals(lastPosition(client, FeedFilter.ALL)));
    eventually(TIMEOUT, "both tenants' subscriptions claimed", () -> advisoryLocks() == 2);
  }

  private void assertInStreamOrder(List<FeedEvent> events) {
    Map<String, Long> last = new java.util.HashMap<>();
    for (FeedEvent event : events) {
      Long previous = last.put(event.persistenceId().toString(), event.event().sequenceNr());
      if (previous != null) {
        assertThat(event.event().sequenceNr()).as(event.persistenceId() + " in order").isGreaterThan(previous);
      }
    }
  }

  /** Advisory locks held in this test's database: the claims. */
  private long advisoryLocks() {
    return database.admin().count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  }

  private FeedPosition checkpoint(String name) {
    Row row = database.admin().rows("SELECT checkpoint_tx, checkpoint_id FROM temper_store_subscriptions"
        + " WHERE tenant = 'acme' AND name = $1", name).get(0);
    return new FeedPosition(row.getLong(0), row.getLong(1));
  }

  private static FeedPosition lastPosition(StoreClient client, FeedFilter filter) {
    FeedPosition position = FeedPosition.START;
    while (true) {
      FeedPage page = await(client.readAll("acme", position, filter, 1000));
      position = page.next();
      if (!page.hasMore()) {
        return position;
      }
    }
  }

  private static long countUpTo(StoreClient client, FeedPosition end) {
    return await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 1000)).events().stream()
        .filter(e -> e.position().compareTo(end) <= 0).count();
  }

  /** Writers holding their transactions open for random times, so that positions commit out of order. */
  private List<String> writeOutOfOrder(int writers, int appendsEach) {
    return OutOfOrderWriters.start(vertx, database.asOwner(), writers, appendsEach, 7, 30).join();
  }

}
