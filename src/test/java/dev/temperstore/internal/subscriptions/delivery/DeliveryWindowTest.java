package dev.temperstore.internal.subscriptions.delivery;

import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.LifecycleNotice;
import dev.temperstore.feed.subscriptions.SubscriptionMember;
import dev.temperstore.internal.subscriptions.LifecycleChange;
import dev.temperstore.internal.subscriptions.SubscriptionRow;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The window's two rules: a stream is with one target at a time, and the checkpoint never passes a gap. */
class DeliveryWindowTest {

  private static final SubscriptionRow SUBSCRIPTION = new SubscriptionRow("acme", "group", "app.group",
      FeedFilter.ALL, FeedPosition.START, 1);

  private final DeliveryWindow window = new DeliveryWindow();
  private long nextId = 1;

  @Test
  void a_stream_in_flight_to_its_old_owner_goes_to_its_new_owner_only_once_that_batch_is_answered() {
    Assignment one = assignment("m1");
    Assignment two = assignment("m1", "m2");
    String moving = owner(two, "m2");
    String staying = owner(two, "m1");
    window.assign(one);
    window.add(List.of(event(moving, 1), event(staying, 1), event(moving, 2), event(moving, 3)));
    DeliveryWindow.Batch toM1 = single(window.take(Set.copyOf(one.targets()), target -> 1));
    assertThat(describe(toM1)).containsExactly(moving + "#1");

    window.assign(two);
    Target m1 = two.targets().get(0);
    Target m2 = two.targets().get(1);
    assertThat(window.take(Set.of(m2), target -> 8)).as("m1 holds it").isEmpty();
    window.acknowledge(toM1);

    List<DeliveryWindow.Batch> next = window.take(Set.of(m1, m2), target -> 8);
    assertThat(next).extracting(batch -> batch.target().member() + " " + describe(batch))
        .containsExactly("m1 [" + staying + "#1]", "m2 [" + moving + "#2, " + moving + "#3]");
  }

  @Test
  void a_moved_stream_waits_for_its_batch_and_a_failed_batch_goes_to_the_new_owner_from_its_first_event() {
    Assignment one = assignment("m1");
    window.assign(one);
    Assignment two = assignment("m1", "m2");
    String moving = owner(two, "m2");
    window.add(List.of(event(moving, 1), event(moving, 2), event(moving, 3)));
    DeliveryWindow.Batch toM1 = single(window.take(Set.copyOf(one.targets()), target -> 2));
    assertThat(describe(toM1)).containsExactly(moving + "#1", moving + "#2");

    window.assign(two);
    Target m2 = two.targets().get(1);
    assertThat(window.take(Set.of(m2), target -> 8)).as("in flight to m1: m2 waits").isEmpty();
    window.release(toM1); // m1 failed it

    assertThat(describe(single(window.take(Set.of(m2), target -> 8))))
        .containsExactly(moving + "#1", moving + "#2", moving + "#3");
  }

  @Test
  void the_checkpoint_stops_before_the_first_unacknowledged_event_and_passes_those_acknowledged_beyond_it_later() {
    Assignment two = assignment("m1", "m2");
    window.assign(two);
    String ofM1 = owner(two, "m1");
    String ofM2 = owner(two, "m2");
    FeedEvent first = event(ofM1, 1);
    FeedEvent second = event(ofM2, 1);
    FeedEvent third = event(ofM2, 2);
    window.add(List.of(first, second, third));
    Map<String, DeliveryWindow.Batch> batches = window.take(Set.copyOf(two.targets()), target -> 8).stream()
        .collect(Collectors.toMap(batch -> batch.target().member(), Function.identity()));

    assertThat(window.acknowledge(batches.get("m2"))).as("the first event is still out").isNull();
    assertThat(window.size()).isEqualTo(3);
    assertThat(window.acknowledge(batches.get("m1"))).isEqualTo(third.position());
    assertThat(window.size()).isZero();
  }

  @Test
  void a_batch_holds_each_of_its_targets_streams_from_their_first_unsent_event_in_feed_order_up_to_the_limit() {
    Assignment one = assignment("m1");
    window.assign(one);
    window.add(List.of(event("a", 1), event("b", 1), event("a", 2), event("c", 1), event("b", 2)));

    DeliveryWindow.Batch first = single(window.take(Set.copyOf(one.targets()), target -> 3));
    assertThat(describe(first)).containsExactly("a#1", "b#1", "a#2");
    assertThat(window.take(Set.copyOf(one.targets()), target -> 3)).as("a and b are in flight, so only c may go")
        .extracting(this::describe)
        .containsExactly(List.of("c#1"));
  }

  @Test
  void a_batch_ends_before_the_event_that_would_take_it_past_the_byte_bound_and_a_lone_big_event_still_goes() {
    Assignment one = assignment("m1");
    window.assign(one);
    int third = (int) (DeliveryWindow.MAX_BATCH_BYTES / 3);
    // b#1 is small, but it comes after a#2, which did not fit: nothing after the cut goes in this batch
    window.add(List.of(event("a", 1, third), event("a", 2, third * 2), event("b", 1, 10),
        event("c", 1, (int) DeliveryWindow.MAX_BATCH_BYTES * 2)));
    Set<Target> targets = Set.copyOf(one.targets());

    DeliveryWindow.Batch first = single(window.take(targets, target -> 256));
    assertThat(describe(first)).containsExactly("a#1");
    window.acknowledge(first);
    DeliveryWindow.Batch second = single(window.take(targets, target -> 256));
    assertThat(describe(second)).containsExactly("a#2", "b#1");
    window.acknowledge(second);
    assertThat(describe(single(window.take(targets, target -> 256)))).as("alone, whatever its size").containsExactly("c#1");
  }

  @Test
  void events_a_lifecycle_change_hides_are_dropped_unsent_or_once_their_batch_fails_and_the_checkpoint_passes_them() {
    Assignment one = assignment("m1");
    window.assign(one);
    Set<Target> targets = Set.copyOf(one.targets());
    FeedEvent third = event("a", 3);
    window.add(List.of(event("a", 1), event("a", 2), third));
    DeliveryWindow.Batch inFlight = single(window.take(targets, target -> 2));
    window.add(List.of(notice("a", 3), event("b", 1)));

    assertThat(window.hide(new LifecycleChange("acme", id("a"), 4))).as("a#1 and a#2 are still out").isNull();
    assertThat(window.release(inFlight)).as("failed: hidden, so passed rather than sent again")
        .isEqualTo(third.position());
    assertThat(describe(single(window.take(targets, target -> 8)))).as("the notice stays")
        .containsExactly("a#3", "b#1");
  }

  @Test
  void a_truncate_hides_only_the_events_below_it_and_a_purge_every_event_of_the_tenant() {
    Assignment one = assignment("m1");
    window.assign(one);
    window.add(List.of(event("a", 1), event("a", 2), event("b", 1), event("a", 3)));

    assertThat(window.hide(new LifecycleChange("acme", id("a"), 3))).as("a#1 and a#2 passed")
        .isEqualTo(new FeedPosition(1, 2));
    assertThat(window.hide(new LifecycleChange("other", null, Long.MAX_VALUE))).as("another tenant's").isNull();
    assertThat(describe(single(window.take(Set.copyOf(one.targets()), target -> 8)))).containsExactly("b#1", "a#3");

    DeliveryWindow purged = new DeliveryWindow();
    purged.assign(one);
    FeedEvent lastOfTenant = event("c", 1);
    purged.add(List.of(event("a", 1), lastOfTenant));
    assertThat(purged.hide(new LifecycleChange("acme", null, Long.MAX_VALUE))).isEqualTo(lastOfTenant.position());
    assertThat(purged.size()).isZero();
  }

  private Assignment assignment(String... members) {
    List<SubscriptionMember> live = new ArrayList<>();
    for (String member : members) {
      live.add(new SubscriptionMember(member, "app." + member, Instant.now().plusSeconds(10)));
    }
    return Assignment.of(SUBSCRIPTION, live);
  }

  /** The entity id of a stream that {@code member} owns under {@code assignment}. */
  private static String owner(Assignment assignment, String member) {
    for (int i = 0; ; i++) {
      if (assignment.owner(id("s" + i)).member().equals(member)) {
        return "s" + i;
      }
    }
  }

  private static DeliveryWindow.Batch single(List<DeliveryWindow.Batch> batches) {
    assertThat(batches).hasSize(1);
    return batches.get(0);
  }

  private List<String> describe(DeliveryWindow.Batch batch) {
    return batch.events().stream().map(e -> e.persistenceId().entityId() + "#" + e.event().sequenceNr()).toList();
  }

  private static PersistenceId id(String stream) {
    return PersistenceId.parse("acme:Order:" + stream);
  }

  private FeedEvent event(String stream, long sequenceNr) {
    return new FeedEvent(new FeedPosition(1, nextId++), id(stream), new StoredEvent(sequenceNr, "E",
        new JsonObject(), EventMetadata.root(UUID.randomUUID(), "actor")));
  }

  /** A lifecycle notice of {@code stream} at its head {@code head}. */
  private FeedEvent notice(String stream, long head) {
    return new FeedEvent(new FeedPosition(1, nextId++), id(stream), new StoredEvent(head,
        LifecycleNotice.DELETED, new JsonObject().put("head", head).put("servedFrom", head + 1),
        EventMetadata.root(UUID.randomUUID(), "ops")));
  }

  /** An event read from the feed with a payload of {@code payloadChars} characters of JSON text. */
  private FeedEvent event(String stream, long sequenceNr, int payloadChars) {
    String payload = "\"" + "x".repeat(Math.max(0, payloadChars - 2)) + "\"";
    return new FeedEvent(new FeedPosition(1, nextId++), id(stream), StoredEvent.withPayloadJson(sequenceNr, "E",
        payload, EventMetadata.root(UUID.randomUUID(), "actor")));
  }
}
