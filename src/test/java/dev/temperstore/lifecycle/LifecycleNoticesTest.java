package dev.temperstore.lifecycle;

import dev.temperstore.StoreSettings;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.LifecycleNotice;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lifecycle notices in the feed and in subscriptions that ask for them, and what a deliverer read ahead before a
 * change: served as a non-owner NOBYPASSRLS role.
 */
class LifecycleNoticesTest extends LifecycleStoreTest {

  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");
  private static final PersistenceId OTHER = PersistenceId.parse("acme:Order:o-2");
  private static final OptionalLong ANY = OptionalLong.empty();
  /** Long enough that a refused batch is sent again only after the test's delete reached the deliverer. */
  private static final Duration RETRY = Duration.ofSeconds(2);

  @Override
  protected StoreSettings settings() {
    return super.settings().withSubscriptions(SubscriptionSettings.defaults()
        .withIntervals(Duration.ofMillis(200), Duration.ofMillis(300), RETRY));
  }

  @Test
  void a_feed_that_asks_for_notices_holds_each_change_where_it_committed_and_one_that_does_not_holds_none() {
    await(client.append(ORDER, 0, events(3)));
    await(client.truncate(ORDER, 3, ANY, "ops"));
    await(client.append(ORDER, 3, events(1)));
    await(client.append(OTHER, 0, events(1)));
    await(client.tombstone(OTHER, ANY, "ops"));
    await(client.delete(ORDER, ANY, "ops"));

    assertThat(feed(FeedFilter.ALL.withNotices())).containsExactly(
        "o-1/3 $stream-truncated {\"head\":3,\"servedFrom\":3}",
        "o-2/1 $stream-tombstoned {\"head\":1,\"servedFrom\":2}",
        "o-1/4 $stream-deleted {\"head\":4,\"servedFrom\":5}");
    assertThat(feed(FeedFilter.ALL)).isEmpty();
    assertThat(feed(FeedFilter.entityTypes("Invoice").withNotices())).as("another entity type's").isEmpty();
    assertThat(database.admin().strings("SELECT notice || ' ' || entity_id || ' ' || actor FROM temper_store_notices"
        + " ORDER BY tx_id, id")).containsExactly("$stream-truncated o-1 ops", "$stream-tombstoned o-2 ops",
        "$stream-deleted o-1 ops");
    assertThat(await(client.truncate(ORDER, 5, ANY, "ops")).changed()).as("a repeat").isFalse();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_notices")).as("no notice of a repeat")
        .isEqualTo(3);
  }

  @Test
  void a_notice_comes_after_the_events_it_concerns_and_before_those_written_after_it() {
    await(client.append(ORDER, 0, events(3)));
    await(client.truncate(ORDER, 3, ANY, "ops"));
    await(client.append(ORDER, 3, events(1)));

    List<FeedEvent> page = await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL.withNotices(), 10))
        .events();

    assertThat(page).extracting(event -> event.event().sequenceNr() + " " + event.event().eventType())
        .containsExactly("3 Happened", "3 $stream-truncated", "4 Happened");
    LifecycleNotice notice = LifecycleNotice.of(page.get(1)).orElseThrow();
    assertThat(notice).isEqualTo(new LifecycleNotice(LifecycleNotice.TRUNCATED, ORDER, 3, 3));
    assertThat(LifecycleNotice.of(page.get(0))).isEmpty();
    assertThat(page.get(1).event().metadata().actorId()).isEqualTo("ops");
    // Read from the notice's position on: nothing before it comes again.
    assertThat(await(client.readAll("acme", page.get(1).position(), FeedFilter.ALL.withNotices(), 10)).events())
        .extracting(event -> event.event().sequenceNr()).containsExactly(4L);
  }

  @Test
  void a_subscription_that_asks_for_notices_receives_one_after_the_events_of_its_stream() {
    await(client.append(ORDER, 0, events(2)));
    await(client.createSubscription(new Subscription("acme", "orders", "app.with-notices",
        FeedFilter.ALL.withNotices(), FeedPosition.START)));
    List<String> received = new CopyOnWriteArrayList<>();
    client.subscribe("app.with-notices").subscribe().with(delivery -> {
      received.add(delivery.event().event().sequenceNr() + " " + delivery.event().event().eventType());
      delivery.ack();
    });
    Eventually.eventually(Await.TIMEOUT, "the events delivered", () -> received.size() == 2);

    await(client.delete(ORDER, ANY, "ops"));
    await(client.append(ORDER, 2, events(1)));

    Eventually.eventually(Await.TIMEOUT, "the notice and the new event delivered", () -> received.size() == 4);
    assertThat(received).containsExactly("1 Happened", "2 Happened", "2 $stream-deleted", "3 Happened");
    assertThat(await(client.listSubscriptions("acme")).get(0).filter().notices()).isTrue();
  }

  @Test
  void events_a_deliverer_read_before_their_stream_was_deleted_are_not_sent_again_after_it() {
    await(client.append(ORDER, 0, events(3)));
    await(client.append(OTHER, 0, events(2)));
    await(client.createSubscription(new Subscription("acme", "orders", "app.refusing", FeedFilter.ALL,
        FeedPosition.START)));
    List<FeedEvent> received = new CopyOnWriteArrayList<>();
    AtomicBoolean refusing = new AtomicBoolean(true);
    client.subscribe("app.refusing").subscribe().with(delivery -> {
      received.add(delivery.event());
      if (refusing.get()) {
        delivery.nack("not yet"); // the batch goes out again after the retry delay, from the deliverer's window
      } else {
        delivery.ack();
      }
    });
    Eventually.eventually(Await.TIMEOUT, "the first delivery of the deleted stream's events",
        () -> received.stream().filter(event -> event.persistenceId().equals(ORDER)).count() == 3);

    await(client.delete(ORDER, ANY, "ops"));
    int atDelete = received.size();
    refusing.set(false);
    await(client.append(OTHER, 2, events(1)));

    Eventually.eventually(Await.TIMEOUT, "the other stream's events delivered after the delete",
        () -> received.subList(atDelete, received.size()).stream()
            .anyMatch(event -> event.persistenceId().equals(OTHER) && event.event().sequenceNr() == 3));
    assertThat(received.subList(atDelete, received.size()))
        .as("nothing of the deleted stream once its delete committed")
        .allSatisfy(event -> assertThat(event.persistenceId()).isEqualTo(OTHER));
    FeedPosition last = received.get(received.size() - 1).position();
    Eventually.eventually(Await.TIMEOUT, "the checkpoint past every event, the deleted ones included",
        () -> database.admin().count("SELECT count(*) FROM temper_store_subscriptions WHERE name = 'orders'"
            + " AND checkpoint_tx = " + last.tx() + " AND checkpoint_id = " + last.id()) == 1);
  }

  private List<String> feed(FeedFilter filter) {
    return await(client.readAll("acme", FeedPosition.START, filter, 100)).events().stream()
        .map(event -> event.persistenceId().entityId() + "/" + event.event().sequenceNr() + " "
            + event.event().eventType() + " " + io.vertx.core.json.Json.encode(event.event().payload()))
        .toList();
  }
}
