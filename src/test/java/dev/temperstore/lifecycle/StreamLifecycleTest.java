package dev.temperstore.lifecycle;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.StreamTombstoned;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.events.EntityId;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.Eventually;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * streams.truncate, streams.delete and streams.tombstone through the client and the bus, served as a non-owner
 * NOBYPASSRLS role: what each hides from reads, snapshots, the listing and the feed, what the tables hold after
 * them and after a sweep, and what they refuse.
 */
class StreamLifecycleTest extends LifecycleStoreTest {

  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");
  private static final PersistenceId OTHER = PersistenceId.parse("acme:Order:o-2");
  private static final OptionalLong ANY = OptionalLong.empty();


  @Test
  void a_truncate_hides_the_events_below_it_and_a_snapshot_below_it_and_keeps_the_numbering() {
    await(client.append(ORDER, 0, events(5)));
    await(client.append(OTHER, 0, events(1)));
    await(client.save(ORDER, 4, new byte[] {4}));

    StreamChange change = await(client.truncate(ORDER, 3, OptionalLong.of(5), "ops"));

    assertThat(change).isEqualTo(new StreamChange(ORDER, true, 5, 3, 2, 0, false));
    assertThat(sequences(ORDER)).containsExactly(3L, 4L, 5L);
    assertThat(await(client.load(ORDER))).map(snapshot -> snapshot.sequenceNr()).contains(4L);
    assertThat(feed()).containsExactly("o-1/3", "o-1/4", "o-1/5", "o-2/1");
    assertThat(await(client.append(ORDER, 5, events(1)))).isEqualTo(6);

    StreamChange past = await(client.truncate(ORDER, 6, ANY, "ops"));
    assertThat(past.events()).isEqualTo(3);
    assertThat(past.snapshots()).isEqualTo(1);
    assertThat(sequences(ORDER)).containsExactly(6L);
    assertThat(await(client.load(ORDER))).isEmpty();
    assertThat(database.admin().count("SELECT count(*) FROM snapshots")).isZero();
    assertThat(await(client.truncate(ORDER, 6, ANY, "ops")).changed()).as("a repeat").isFalse();
    assertThat(database.admin().strings("SELECT action || ' ' || entity_id || ' ' || actor || ' '"
        + " || (detail ->> 'events') FROM temper_store_audit ORDER BY id"))
        .containsExactly("stream.truncate o-1 ops 2", "stream.truncate o-1 ops 3");
  }

  @Test
  void a_delete_hides_the_stream_everywhere_and_a_later_append_continues_its_numbering() {
    await(client.append(ORDER, 0, events(3)));
    await(client.append(OTHER, 0, events(1)));
    await(client.save(ORDER, 3, new byte[] {3}));

    StreamChange deleted = await(client.delete(ORDER, ANY, "ops"));

    assertThat(deleted).isEqualTo(new StreamChange(ORDER, true, 3, 4, 3, 1, false));
    assertThat(sequences(ORDER)).isEmpty();
    assertThat(await(client.load(ORDER))).isEmpty();
    assertThat(feed()).containsExactly("o-2/1");
    assertThat(streamedFeed()).containsExactly("o-2/1");
    assertThat(listed()).containsExactly("o-2");
    assertThatThrownBy(() -> await(client.append(ORDER, 0, events(1))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> assertThat(conflict.actual()).isEqualTo(3));

    assertThat(await(client.append(ORDER, 3, events(1)))).isEqualTo(4);
    assertThat(sequences(ORDER)).containsExactly(4L);
    assertThat(listed()).containsExactly("o-1", "o-2");
    assertThat(feed()).containsExactly("o-2/1", "o-1/4");
    assertThat(await(client.delete(ORDER, OptionalLong.of(4), "ops")).events()).isEqualTo(1);
    assertThat(await(client.delete(ORDER, ANY, "ops")).changed()).as("a repeat").isFalse();
  }

  @Test
  void a_subscription_behind_a_deleted_stream_never_receives_its_events_and_receives_it_again_once_re_created() {
    await(client.append(ORDER, 0, events(3)));
    await(client.append(OTHER, 0, events(2)));
    await(client.delete(ORDER, ANY, "ops"));
    // Created after the delete, from the start: its checkpoint is behind every deleted event. (What a deliverer read
    // before a delete committed: LifecycleNoticesTest.)
    await(client.createSubscription(new Subscription("acme", "orders", "app.orders", FeedFilter.ALL,
        FeedPosition.START)));
    List<String> received = new CopyOnWriteArrayList<>();
    client.subscribe("app.orders").subscribe().with(delivery -> {
      received.add(delivery.event().persistenceId().entityId() + "/" + delivery.event().event().sequenceNr());
      delivery.ack();
    });

    await(client.append(ORDER, 3, events(1)));

    Eventually.eventually(Await.TIMEOUT, "the re-created stream's event delivered",
        () -> received.contains("o-1/4"));
    assertThat(received).as("each stream in order, streams side by side")
        .containsExactlyInAnyOrder("o-2/1", "o-2/2", "o-1/4");
  }

  @Test
  void a_tombstone_hides_the_stream_and_refuses_every_later_append_with_410() {
    await(client.append(ORDER, 0, events(2)));

    StreamChange tombstoned = await(client.tombstone(ORDER, OptionalLong.of(2), "ops"));

    assertThat(tombstoned).isEqualTo(new StreamChange(ORDER, true, 2, 3, 2, 0, true));
    for (long expected : new long[] {0, 2, 3, 1_000_000}) {
      assertThatThrownBy(() -> await(client.append(ORDER, expected, events(1))))
          .isInstanceOf(StreamTombstoned.class).hasMessageContaining("acme:Order:o-1 is tombstoned");
    }
    assertThatThrownBy(() -> await(client.appendBatch(List.of(
        new dev.temperstore.events.AppendRequest(OTHER, 0, events(1)),
        new dev.temperstore.events.AppendRequest(ORDER, 2, events(1))))))
        .isInstanceOf(StreamTombstoned.class);
    assertThat(sequences(OTHER)).as("the batch is all or nothing").isEmpty();
    assertThat(sequences(ORDER)).isEmpty();
    assertThat(feed()).isEmpty();
    assertThat(listed()).isEmpty();
    assertThat(await(client.tombstone(ORDER, ANY, "ops")).changed()).isFalse();
    StreamChange deleteAfter = await(client.delete(ORDER, ANY, "ops"));
    assertThat(deleteAfter.changed()).isFalse();
    assertThat(deleteAfter.tombstoned()).isTrue();
  }

  @Test
  void a_tombstone_of_a_stream_never_written_reserves_its_name() {
    await(client.tombstone(ORDER, OptionalLong.of(0), "ops"));

    assertThatThrownBy(() -> await(client.append(ORDER, 0, events(1)))).isInstanceOf(StreamTombstoned.class);
    assertThat(listed()).isEmpty();
  }

  @Test
  void a_change_expecting_another_head_is_a_409_with_the_actual_head_and_hides_nothing() {
    await(client.append(ORDER, 0, events(2)));

    for (var change : List.<Runnable>of(() -> await(client.delete(ORDER, OptionalLong.of(1), "ops")),
        () -> await(client.tombstone(ORDER, OptionalLong.of(3), "ops")),
        () -> await(client.truncate(ORDER, 2, OptionalLong.of(0), "ops")))) {
      assertThatThrownBy(change::run).isInstanceOfSatisfying(ConcurrencyConflict.class,
          conflict -> assertThat(conflict.actual()).isEqualTo(2));
    }
    assertThat(sequences(ORDER)).containsExactly(1L, 2L);
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_audit")).isZero();
  }

  @Test
  void a_truncate_past_the_next_sequence_and_hostile_numbers_are_400s() {
    await(client.append(ORDER, 0, events(2)));

    assertThatThrownBy(() -> await(client.truncate(ORDER, 4, ANY, "ops"))).isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("past its next sequence, 3");
    assertThatThrownBy(() -> await(client.truncate(ORDER, 0, ANY, "ops"))).isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.truncate(ORDER, Long.MAX_VALUE, ANY, "ops")))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.delete(ORDER, OptionalLong.of(Long.MAX_VALUE), "ops")))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.append(ORDER, Long.MAX_VALUE - 1, events(1))))
        .as("the highest sequence is the tombstone's").isInstanceOf(InvalidRequest.class);
    assertThat(sequences(ORDER)).containsExactly(1L, 2L);
  }

  @Test
  void the_sweeper_removes_the_hidden_rows_keeps_the_head_without_its_data_and_the_numbering_goes_on() {
    await(client.append(ORDER, 0, events(10)));
    await(client.append(OTHER, 0, events(2)));
    await(client.delete(ORDER, ANY, "ops"));
    await(client.truncate(OTHER, 2, ANY, "ops"));

    assertThat(database.sqlAs(role).strings("SELECT swept || ' ' || events_removed || ' ' || streams_queued"
        + " FROM temper_store_sweep(1000)")).containsExactly("true 10 0");

    assertThat(database.admin().strings("SELECT entity_id || '/' || sequence_nr || ' ' || event_type || ' '"
        + " || payload::text || ' ' || metadata::text FROM events ORDER BY entity_id, sequence_nr"))
        .containsExactly("o-1/10 $deleted {} {}", "o-2/2 Happened {\"n\": 2, \"note\": \"event 2\"} "
            + database.admin().strings("SELECT metadata::text FROM events WHERE entity_id = 'o-2'").get(0));
    assertThat(database.admin().strings("SELECT entity_id || ' ' || (swept_below = hidden_below) FROM"
        + " temper_store_streams ORDER BY entity_id")).as("both swept: the feed no longer probes them")
        .containsExactly("o-1 true", "o-2 true");
    assertThat(await(client.append(ORDER, 10, events(1)))).isEqualTo(11);
    assertThat(sequences(ORDER)).containsExactly(11L);
    assertThat(feed()).containsExactly("o-2/2", "o-1/11");
    assertThat(streamedFeed()).containsExactly("o-2/2", "o-1/11");
  }

  @Test
  void a_retention_count_serves_exactly_the_newest_events_and_the_sweeper_makes_it_final() {
    await(client.append(ORDER, 0, events(5)));
    await(client.append(PersistenceId.parse("acme:Invoice:i-1"), 0, events(5)));

    await(client.setRetention("acme", new RetentionPolicy("Order", Optional.empty(), OptionalLong.of(3)), "ops"));

    assertThat(sequences(ORDER)).containsExactly(3L, 4L, 5L);
    assertThat(feed()).containsExactly("o-1/3", "o-1/4", "o-1/5", "i-1/1", "i-1/2", "i-1/3", "i-1/4", "i-1/5");
    assertThat(await(client.retention("acme"))).containsExactly(
        new RetentionPolicy("Order", Optional.empty(), OptionalLong.of(3)));
    await(client.append(ORDER, 5, events(1)));
    assertThat(sequences(ORDER)).containsExactly(4L, 5L, 6L);

    database.sqlAs(role).strings("SELECT swept::text FROM temper_store_sweep(1000)");
    database.sqlAs(role).strings("SELECT swept::text FROM temper_store_sweep(1000)");
    assertThat(database.admin().strings("SELECT entity_id || '/' || sequence_nr FROM events"
        + " WHERE entity_type = 'Order' ORDER BY sequence_nr")).containsExactly("o-1/4", "o-1/5", "o-1/6");
    assertThat(await(client.clearRetention("acme", "Order", "ops"))).isTrue();
    assertThat(await(client.clearRetention("acme", "Order", "ops"))).isFalse();
    assertThat(sequences(ORDER)).as("what the sweeper made final stays hidden").containsExactly(4L, 5L, 6L);
  }

  @Test
  void a_retention_age_hides_an_event_exactly_when_it_reaches_the_age() {
    await(client.append(ORDER, 0, events(3)));
    await(client.setRetention("acme", new RetentionPolicy("Order", Optional.of(Duration.ofHours(1)),
        OptionalLong.empty()), "ops"));
    // In one transaction now() is one instant: event 1 is exactly an hour old, event 2 a microsecond younger.
    SqlConnection connection = runtime.getConnection().await();
    try {
      connection.query("BEGIN").execute().await();
      connection.query("SELECT set_config('app.current_tenant', 'acme', true)").execute().await();
      connection.query("UPDATE events SET created_at = now() - interval '1 hour'"
          + " + (sequence_nr - 1) * interval '1 microsecond' WHERE tenant = 'acme' AND sequence_nr < 3")
          .execute().await();
      RowSet<Row> stream = connection.query("SELECT sequence_nr FROM temper_store_read_events('acme', 'Order',"
          + " 'o-1', 0, 10)").execute().await();
      RowSet<Row> feed = connection.query("SELECT sequence_nr FROM temper_store_read_feed('acme', 0, 0, NULL,"
          + " NULL, 10)").execute().await();
      assertThat(stream).extracting(row -> row.getLong(0)).containsExactly(2L, 3L);
      assertThat(feed).extracting(row -> row.getLong(0)).containsExactly(2L, 3L);
      connection.query("ROLLBACK").execute().await();
    } finally {
      connection.close().await();
    }
  }

  @Test
  void hostile_values_are_400s_at_the_gate_and_change_nothing() {
    assertThatThrownBy(() -> new RetentionPolicy("Order", Optional.empty(), OptionalLong.empty()))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> new RetentionPolicy("Order", Optional.of(Duration.ZERO), OptionalLong.empty()))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> new RetentionPolicy("Order", Optional.of(Duration.ofDays(40_000)), OptionalLong.empty()))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> new RetentionPolicy("Order", Optional.empty(), OptionalLong.of(0)))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.setRetention("acme", new RetentionPolicy("Or:der", Optional.empty(),
        OptionalLong.of(1)), "ops"))).isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.setRetention("acme\u0000", new RetentionPolicy("Order", Optional.empty(),
        OptionalLong.of(1)), "ops"))).isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.clearRetention("acme", "Order\uD800", "ops")))
        .isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.delete(ORDER, ANY, "ops\u0000"))).isInstanceOf(InvalidRequest.class);
    assertThatThrownBy(() -> await(client.append(ORDER, 0, List.of(new dev.temperstore.events.NewEvent("$deleted",
        new io.vertx.core.json.JsonObject(), events(1).get(0).metadata()))))).isInstanceOf(InvalidRequest.class)
        .hasMessageContaining("reserves");
    assertThatThrownBy(() -> await(client.delete(ORDER, ANY, "x".repeat(2000)))).isInstanceOf(InvalidRequest.class);
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_retention")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_streams")).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_audit")).isZero();
  }

  private List<Long> sequences(PersistenceId stream) {
    return await(client.read(stream, 0, 100)).events().stream().map(StoredEvent::sequenceNr).toList();
  }

  private List<String> feed() {
    return await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 100)).events().stream()
        .map(event -> event.persistenceId().entityId() + "/" + event.event().sequenceNr()).toList();
  }

  /** The feed in its streamed form (PgFeed's own query rather than the function), as a catching-up reader reads. */
  private List<String> streamedFeed() {
    return await(new dev.temperstore.internal.feed.PgFeed(runtime, 1000, 1)
        .readAll("acme", FeedPosition.START, FeedFilter.ALL, 100)).events().stream()
        .map(event -> event.persistenceId().entityId() + "/" + event.event().sequenceNr()).toList();
  }

    private List<String> listed() {
    return await(client.listEntityIds("acme", Optional.empty(), Optional.empty(), 100)).ids().stream()
        .map(EntityId::entityId).toList();
  }
}
