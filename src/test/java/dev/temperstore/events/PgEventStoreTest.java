package dev.temperstore.events;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.event;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgEventStoreTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;

  private final List<Pool> pools = new ArrayList<>();
  private EventStore store;

  @BeforeEach
  void migratedDatabase() {
    store = newStore();
  }

  @AfterEach
  void closeConnections() {
    pools.forEach(pool -> pool.close().await());
  }

  @Test
  void append_then_read_keeps_order_payload_and_metadata_exactly() {
    PersistenceId id = PersistenceId.parse("acme:Order:o-1");
    List<NewEvent> written = new ArrayList<>(events(3));
    written.add(new NewEvent("Listed", new JsonArray().add(1).add("two").add(new JsonObject().put("x", 3.5)),
        event("Listed", 4).metadata()));

    long last = await(store.append(id, 0, written));
    EventPage page = await(store.read(id, 0, 100));

    assertThat(last).isEqualTo(4);
    assertThat(page.events()).extracting(StoredEvent::sequenceNr).containsExactly(1L, 2L, 3L, 4L);
    for (int i = 0; i < written.size(); i++) {
      StoredEvent stored = page.events().get(i);
      assertThat(stored.eventType()).isEqualTo(written.get(i).eventType());
      assertThat(stored.payload()).isEqualTo(written.get(i).payload());
      assertThat(stored.metadata()).isEqualTo(written.get(i).metadata());
    }
    assertThat(page.hasMore()).isFalse();
    assertThat(page.nextFrom()).isEqualTo(4);
    assertThat(database.admin().strings("SELECT metadata->>'event_id' FROM events ORDER BY sequence_nr"))
        .containsExactlyElementsOf(written.stream().map(e -> e.metadata().eventId().toString()).toList());
  }

  @Test
  void a_row_whose_metadata_is_not_of_temper_shape_fails_its_read_with_temper_serialization_error_naming_the_event() {
    PersistenceId id = PersistenceId.parse("acme:Order:o-1");
    await(store.append(id, 0, events(1)));
    database.admin().execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload,"
        + " metadata) VALUES ('acme', 'Order', 'o-1', 2, 'Broken', '{}', '{\"event_id\": 7}')");

    assertThatThrownBy(() -> await(store.read(id, 0, 100)))
        .isInstanceOf(dev.temperstore.errors.StorageFailure.class)
        .hasMessageStartingWith("storage error: serialization error: metadata of acme:Order:o-1 at sequence 2"
            + " is not valid event metadata: ");
    assertThat(await(store.read(id, 0, 1)).events()).extracting(StoredEvent::sequenceNr).containsExactly(1L);
  }

  @Test
  void reads_page_through_ten_thousand_events_in_order_without_gaps() {
    PersistenceId id = PersistenceId.parse("acme:Ledger:big");
    long at = 0;
    for (int batch = 0; batch < 10; batch++) {
      at = await(store.append(id, at, events(1000)));
    }

    long expectedNext = 1;
    long from = 0;
    int pages = 0;
    boolean more = true;
    while (more) {
      EventPage page = await(store.read(id, from, 700));
      assertThat(page.events()).hasSizeLessThanOrEqualTo(700);
      for (StoredEvent event : page.events()) {
        assertThat(event.sequenceNr()).isEqualTo(expectedNext++);
      }
      from = page.nextFrom();
      more = page.hasMore();
      pages++;
    }

    assertThat(expectedNext - 1).isEqualTo(10_000);
    assertThat(pages).isEqualTo(15);
  }

  @Test
  void legacy_two_segment_ids_mean_tenant_default_and_entity_ids_may_contain_colons() {
    PersistenceId legacy = PersistenceId.parse("Task:T-1");
    PersistenceId colons = PersistenceId.parse("beta:Task:T-1:sub:part");

    await(store.append(legacy, 0, events(1)));
    await(store.append(colons, 0, events(2)));

    assertThat(legacy).isEqualTo(new PersistenceId("default", "Task", "T-1"));
    assertThat(colons).isEqualTo(new PersistenceId("beta", "Task", "T-1:sub:part"));
    assertThat(database.admin().strings("SELECT tenant || '|' || entity_type || '|' || entity_id || '|' || sequence_nr"
        + " FROM events ORDER BY tenant, sequence_nr"))
        .containsExactly("beta|Task|T-1:sub:part|1", "beta|Task|T-1:sub:part|2", "default|Task|T-1|1");
    assertThat(await(store.read(colons, 0, 10)).events()).hasSize(2);
  }

  @Test
  void an_empty_append_returns_the_expected_sequence_and_writes_nothing() {
    assertThat(await(store.append(PersistenceId.parse("acme:Order:o-1"), 7, List.of()))).isEqualTo(7);
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void a_stale_expected_sequence_fails_with_a_conflict_carrying_expected_and_actual_and_writes_nothing() {
    PersistenceId id = PersistenceId.parse("acme:Order:o-1");
    await(store.append(id, 0, events(3)));

    assertThatThrownBy(() -> await(store.append(id, 1, events(2))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> {
          assertThat(conflict.expected()).isEqualTo(1);
          assertThat(conflict.actual()).isEqualTo(3);
          assertThat(conflict.code()).isEqualTo(409);
        })
        .hasMessage("optimistic concurrency violation: expected sequence 1, got 3 (stream: acme:Order:o-1)");
    assertThatThrownBy(() -> await(store.append(id, 5, events(1))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> assertThat(conflict.actual()).isEqualTo(3));
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(3);
  }

  @Test
  void sixteen_writers_racing_on_one_stream_get_exactly_one_success_per_position_and_no_gap_or_duplicate() {
    PersistenceId id = PersistenceId.parse("acme:Counter:c-1");
    List<EventStore> stores = List.of(store, newStore(), newStore(), newStore());
    int rounds = 10;
    for (int round = 0; round < rounds; round++) {
      long expected = round;
      AtomicInteger succeeded = new AtomicInteger();
      List<Uni<Void>> writers = new ArrayList<>();
      List<Long> actuals = new java.util.concurrent.CopyOnWriteArrayList<>();
      for (int writer = 0; writer < 16; writer++) {
        EventStore via = stores.get(writer % stores.size());
        writers.add(via.append(id, expected, List.of(event("Incremented", writer)))
            .onItem().invoke(succeeded::incrementAndGet)
            .onFailure(ConcurrencyConflict.class).recoverWithItem(e -> {
              actuals.add(e.actual());
              return null;
            })
            .replaceWithVoid());
      }
      Uni.join().all(writers).andFailFast().await().atMost(TIMEOUT);

      assertThat(succeeded.get()).as("round %d", round).isEqualTo(1);
      assertThat(actuals).as("round %d", round).hasSize(15).containsOnly(expected + 1);
    }

    assertThat(database.admin().rows("SELECT sequence_nr FROM events ORDER BY sequence_nr"))
        .extracting(row -> row.getLong(0))
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, rounds).boxed().toList());
  }

  @Test
  void retrying_the_very_same_append_returns_the_original_result_and_writes_it_once() {
    PersistenceId id = PersistenceId.parse("acme:Order:o-1");
    List<NewEvent> append = events(3);
    await(store.append(id, 0, append));
    await(store.append(id, 3, events(2)));

    long retried = await(store.append(id, 0, append));

    assertThat(retried).isEqualTo(3);
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(5);
  }

  @Test
  void a_different_append_at_a_taken_position_is_a_conflict() {
    PersistenceId id = PersistenceId.parse("acme:Order:o-1");
    List<NewEvent> original = events(2);
    await(store.append(id, 0, original));
    List<NewEvent> differentSecond = List.of(original.get(0), event("Other", 9));

    assertThatThrownBy(() -> await(store.append(id, 0, differentSecond)))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> assertThat(conflict.actual()).isEqualTo(2));
    assertThat(database.admin().strings("SELECT event_type FROM events ORDER BY sequence_nr"))
        .containsExactly("Happened", "Happened");
  }

  @Test
  void append_batch_writes_every_stream_and_reports_each_new_sequence() {
    PersistenceId a = PersistenceId.parse("acme:Order:a");
    PersistenceId b = PersistenceId.parse("acme:Order:b");
    await(store.append(b, 0, events(2)));

    List<AppendResult> results = await(store.appendBatch(List.of(
        new AppendRequest(a, 0, events(3)), new AppendRequest(b, 2, events(1)))));

    assertThat(results).containsExactly(new AppendResult(a, 3), new AppendResult(b, 3));
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(6);
  }

  @Test
  void append_batch_with_one_conflicting_stream_writes_nothing_at_all() {
    PersistenceId a = PersistenceId.parse("acme:Order:a");
    PersistenceId b = PersistenceId.parse("acme:Order:b");
    PersistenceId c = PersistenceId.parse("acme:Order:c");
    await(store.append(b, 0, events(2)));

    assertThatThrownBy(() -> await(store.appendBatch(List.of(
        new AppendRequest(a, 0, events(3)), new AppendRequest(b, 1, events(1)), new AppendRequest(c, 0, events(1))))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> {
          assertThat(conflict.persistenceId()).isEqualTo("acme:Order:b");
          assertThat(conflict.actual()).isEqualTo(2);
        });

    assertThat(database.admin().strings("SELECT entity_id FROM events ORDER BY entity_id, sequence_nr"))
        .containsExactly("b", "b");
  }

  @Test
  void append_batch_refuses_two_tenants_or_one_stream_twice_before_touching_the_database() {
    assertThatThrownBy(() -> await(store.appendBatch(List.of(
        new AppendRequest(PersistenceId.parse("acme:Order:a"), 0, events(1)),
        new AppendRequest(PersistenceId.parse("beta:Order:a"), 0, events(1))))))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("spans tenants acme and beta");
    assertThatThrownBy(() -> await(store.appendBatch(List.of(
        new AppendRequest(PersistenceId.parse("acme:Order:a"), 0, events(1)),
        new AppendRequest(PersistenceId.parse("acme:Order:a"), 1, events(1))))))
        .isInstanceOf(InvalidRequest.class).hasMessage("appendBatch names stream acme:Order:a twice");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
  }

  @Test
  void too_many_events_in_one_append_is_refused_as_too_large() {
    assertThatThrownBy(() -> await(store.append(PersistenceId.parse("acme:Order:a"), 0, events(1001))))
        .isInstanceOf(TooLarge.class)
        .hasMessage("append of 1001 events to acme:Order:a is over the limit of 1000");
  }

  @Test
  void entity_ids_are_listed_in_a_stable_order_page_by_page_per_tenant_and_type() {
    for (String stream : List.of("acme:Order:o-2", "acme:Order:o-1", "acme:Invoice:i-1", "acme:Order:o-3",
        "beta:Order:o-9")) {
      await(store.append(PersistenceId.parse(stream), 0, events(3)));
    }

    EntityIdPage first = await(store.listEntityIds("acme", Optional.empty(), Optional.empty(), 2));
    EntityIdPage second = await(store.listEntityIds("acme", Optional.empty(), first.next(), 2));
    EntityIdPage orders = await(store.listEntityIds("acme", Optional.of("Order"), Optional.empty(), 10));
    EntityIdPage ordersAfterInvoice = await(store.listEntityIds("acme", Optional.of("Order"),
        Optional.of(new EntityId("Invoice", "i-1")), 10));

    assertThat(first.ids()).containsExactly(new EntityId("Invoice", "i-1"), new EntityId("Order", "o-1"));
    assertThat(first.next()).contains(new EntityId("Order", "o-1"));
    assertThat(second.ids()).containsExactly(new EntityId("Order", "o-2"), new EntityId("Order", "o-3"));
    assertThat(second.next()).isEmpty();
    assertThat(orders.ids()).extracting(EntityId::entityId).containsExactly("o-1", "o-2", "o-3");
    assertThat(ordersAfterInvoice.ids()).isEqualTo(orders.ids());
  }

  private EventStore newStore() {
    Pool pool = database.asOwner().pool(vertx, 4);
    pools.add(pool);
    return new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults());
  }

}
