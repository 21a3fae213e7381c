package dev.temperstore.feed.subscriptions;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consumer groups against a real PostgreSQL: streams shared between members, each whole, in order and with one
 * member at a time, across members leaving and leases ending.
 */
class ConsumerGroupDeliveryTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final int STREAMS = 30;
  private static final int LENGTH = 20;
  /** Small batches, claims and member reads every 300 ms, 2 s leases and delivery timeout. */
  private static final SubscriptionSettings GROUP = SubscriptionSettings.defaults()
      .withIntervals(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(100))
      .withDeliveryTimeout(Duration.ofSeconds(2))
      .withCredit(8)
      .withMembers(Duration.ofSeconds(2), 100);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GroupLog log = new GroupLog();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Map<String, Cancellable> members = new HashMap<>();
  /** Consumers and timers to end after the test: the Vert.x instance outlives it. */
  private final List<Runnable> cleanUp = new CopyOnWriteArrayList<>();
  private StoreClient client;
  /**
   * Members answer each event this long after it came: a batch's events of different streams together, so that a
   * batch is answered as soon as the last of its streams is, and a stream it held is free only from then on.
   */
  private int ackMillis = 1;

  @BeforeEach
  void storeWithAGroupSubscription() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()).withSubscriptions(GROUP),
        registry)).await();
    client = StoreClient.create(vertx);
    await(client.createSubscription(new Subscription("acme", "group", "app.group", FeedFilter.ALL,
        FeedPosition.START)));
  }

  @AfterEach
  void consumersGone() {
    members.values().forEach(Cancellable::cancel);
    cleanUp.forEach(Runnable::run);
  }

  @Test
  void three_members_share_the_streams_and_each_stream_comes_whole_in_order_and_to_one_member_only() {
    join("m1", "m2", "m3");

    appendRounds(0, LENGTH);

    assertEveryEventDeliveredInOrder();
    assertThat(log.membersByStream().values()).allSatisfy(owners -> assertThat(owners).hasSize(1));
    assertThat(log.membersByStream().values().stream().flatMap(Set::stream).distinct())
        .as("every member has a share").containsExactlyInAnyOrder("m1", "m2", "m3");
    eventually(TIMEOUT, "checkpoint saved at the last event", () -> checkpoint().equals(lastPosition()));
    assertThat(await(client.listSubscriptions("acme")).get(0).members()).extracting(SubscriptionMember::address)
        .containsExactly("app.m1", "app.m2", "app.m3");
  }

  @Test
  void a_member_that_leaves_hands_only_its_own_streams_to_the_others_and_nothing_is_lost_or_reordered() {
    join("m1", "m2", "m3");
    appendRounds(0, 8);
    eventually(TIMEOUT, "the first rounds delivered", () -> log.positions().size() == STREAMS * 8);
    Map<String, Set<String>> before = log.membersByStream();

    log.gone("m2");
    members.get("m2").cancel();
    eventually(TIMEOUT, "m2 left", () -> database.admin().count(
        "SELECT count(*) FROM temper_store_subscription_members WHERE member = 'm2'") == 0);
    appendRounds(8, LENGTH);

    assertEveryEventDeliveredInOrder();
    assertStreamsOfTheGoneMoved(before, "m2");
    eventually(TIMEOUT, "the store delivers to two members", () -> membersGauge() == 2);
    eventually(TIMEOUT, "checkpoint saved at the last event", () -> checkpoint().equals(lastPosition()));
  }

  @Test
  void members_that_join_take_streams_from_the_others_only_between_their_batches() {
    ackMillis = 20; // batches take a while, so newcomers come while others hold streams they will take
    join("m1", "m2");
    appendRounds(0, 5);

    int round = 5;
    for (String newcomer : List.of("m3", "m4", "m5")) { // each while the rounds go on
      startMember(newcomer);
      appendRounds(round, round + 4);
      round += 4;
      int joined = members.size();
      eventually(TIMEOUT, "the store delivers to " + joined + " members", () -> membersGauge() == joined);
    }
    appendRounds(round, LENGTH);

    assertEveryEventDeliveredInOrder();
    // Rendezvous hashing moves a stream only to the member that just joined: owners come in joining order.
    log.ownersInTurn().forEach((stream, owners) -> {
      assertThat(owners).as(stream + " moved only to newcomers").isSorted().doesNotHaveDuplicates();
      assertThat(owners).as(stream + " started with one of the first two").doesNotContainSequence("m1", "m2");
    });
    assertThat(log.membersByStream().values().stream().flatMap(Set::stream).distinct())
        .containsExactlyInAnyOrder("m1", "m2", "m3", "m4", "m5");
    eventually(TIMEOUT, "checkpoint saved at the last event", () -> checkpoint().equals(lastPosition()));
  }

  @Test
  void a_member_whose_lease_ends_without_a_leave_loses_its_streams_to_the_others_and_nothing_is_lost() {
    join("m1", "m3");
    long renewals = hangingMember("m2");
    eventually(TIMEOUT, "the store delivers to three members", () -> membersGauge() == 3);
    appendRounds(0, 8);
    eventually(TIMEOUT, "the first rounds delivered", () -> log.positions().size() == STREAMS * 8);
    Map<String, Set<String>> before = log.membersByStream();

    // m2 hangs: it stops renewing and answers nothing more, but never leaves and stays registered.
    log.gone("m2");
    vertx.cancelTimer(renewals);
    appendRounds(8, LENGTH);

    assertEveryEventDeliveredInOrder();
    assertStreamsOfTheGoneMoved(before, "m2");
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_subscription_members WHERE member = 'm2'"
        + " AND expires_at > now()")).as("m2's lease ended (its row goes at the next join)").isZero();
    assertThat(await(client.listSubscriptions("acme")).get(0).members()).extracting(SubscriptionMember::name)
        .containsExactly("m1", "m3");
    eventually(TIMEOUT, "checkpoint saved at the last event", () -> checkpoint().equals(lastPosition()));
  }

  @Test
  void once_its_last_member_leaves_a_subscription_delivers_to_its_own_address_again() {
    Recorder own = Recorder.acking(vertx).listen(client, "app.group");
    cleanUp.add(own::stop);
    join("m1");
    PersistenceId stream = PersistenceId.parse("acme:Order:solo");
    await(client.append(stream, 0, Events.events(5)));
    eventually(TIMEOUT, "m1 has the first 5", () -> log.positions().size() == 5);
    eventually(TIMEOUT, "and acknowledged them", () -> checkpoint().equals(lastPosition()));

    log.gone("m1");
    members.get("m1").cancel();
    eventually(TIMEOUT, "the store delivers to no member", () -> membersGauge() == 0);
    await(client.append(stream, 5, Events.events(5)));

    eventually(TIMEOUT, "the own address has the last 5", () -> own.positions().size() >= 5);
    assertThat(log.deliveries()).hasSize(5);
    assertThat(own.sequencesByStream().get("acme:Order:solo")).endsWith(6L, 7L, 8L, 9L, 10L)
        .allSatisfy(sequence -> assertThat(sequence).isGreaterThan(5));
  }

  /** Waits for every appended event; none went to two members at once, and each stream came whole, in order. */
  private void assertEveryEventDeliveredInOrder() {
    eventually(TIMEOUT, "every event delivered", () -> log.positions().size() == STREAMS * LENGTH);
    assertThat(log.violations()).isEmpty();
    assertThat(failures).isEmpty();
    log.assertEveryStreamInOrder(STREAMS, LENGTH);
  }

  /**
   * Streams the gone member never had stayed with their one member throughout (rendezvous hashing moves only the
   * gone member's); each of the gone member's streams went on with exactly one other member.
   */
  private void assertStreamsOfTheGoneMoved(Map<String, Set<String>> before, String gone) {
    Map<String, Set<String>> after = log.membersByStream();
    int moved = 0;
    for (Map.Entry<String, Set<String>> stream : before.entrySet()) {
      assertThat(stream.getValue()).as(stream.getKey() + " before").hasSize(1);
      Set<String> owners = after.get(stream.getKey());
      if (stream.getValue().contains(gone)) {
        moved++;
        assertThat(owners).as(stream.getKey() + " moved from " + gone + " to one other member").hasSize(2);
      } else {
        assertThat(owners).as(stream.getKey() + " stayed").isEqualTo(stream.getValue());
      }
    }
    assertThat(moved).as("streams " + gone + " had").isPositive();
  }

  /**
   * Members through StoreClient: each answers every event {@link #ackMillis} after it came. Waits until the store delivers to every
   * member joined so far.
   */
  private void join(String... names) {
    for (String name : names) {
      startMember(name);
    }
    eventually(TIMEOUT, "the store delivers to " + members.size() + " members",
        () -> membersGauge() == members.size());
  }

  /** A member that joins in the background. */
  private void startMember(String name) {
    members.put(name, client.subscribe("acme", "group", name, "app." + name).subscribe().with(
        delivery -> {
          if (log.received(name, delivery.event())) {
            vertx.setTimer(ackMillis, id -> {
              if (log.answering(name, delivery.event())) {
                delivery.ack();
              }
            });
          }
        },
        failure -> failures.add(name + ": " + failure)));
  }


  /** A member joined and renewed by hand around a plain consumer, so that it can hang without leaving. */
  private long hangingMember(String name) {
    Cancellable consumer = client.subscribe("app." + name).subscribe().with(delivery -> {
      if (log.received(name, delivery.event()) && log.answering(name, delivery.event())) {
        delivery.ack();
      }
    });
    cleanUp.add(consumer::cancel);
    await(client.joinSubscription("acme", "group", name, "app." + name));
    long renewals = vertx.setPeriodic(GROUP.memberLease().toMillis() / 3,
        id -> client.joinSubscription("acme", "group", name, "app." + name).subscribe().with(lease -> { },
            failure -> failures.add(name + " renewal: " + failure)));
    cleanUp.add(() -> vertx.cancelTimer(renewals));
    return renewals;
  }

  /** Rounds {@code from} (inclusive) to {@code to}: one event on each stream per round, all in one append. */
  private void appendRounds(int from, int to) {
    for (int round = from; round < to; round++) {
      List<AppendRequest> appends = new ArrayList<>();
      for (int stream = 0; stream < STREAMS; stream++) {
        appends.add(new AppendRequest(PersistenceId.parse("acme:Order:s-" + stream), round, Events.events(1)));
      }
      await(client.appendBatch(appends));
    }
  }

  private double membersGauge() {
    Gauge gauge = registry.find("temper.store.subscription.members").tags("tenant", "acme", "subscription", "group")
        .gauge();
    return gauge == null ? -1 : gauge.value();
  }

  private FeedPosition checkpoint() {
    Row row = database.admin().rows("SELECT checkpoint_tx, checkpoint_id FROM temper_store_subscriptions"
        + " WHERE tenant = 'acme' AND name = 'group'").get(0);
    return new FeedPosition(row.getLong(0), row.getLong(1));
  }

  private FeedPosition lastPosition() {
    FeedPosition position = FeedPosition.START;
    while (true) {
      FeedPage page = await(client.readAll("acme", position, FeedFilter.ALL, 1000));
      position = page.next();
      if (!page.hasMore()) {
        return position;
      }
    }
  }

}
