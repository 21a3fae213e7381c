package dev.temperstore.events;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.internal.events.AppendMetrics;
import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.RuntimeRoleTest;
import dev.temperstore.testing.TableLock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.temperstore.events.LoneAppendTest.append;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several appends of one tenant in one INSERT (what group commit sends for a batch of at most
 * {@link AppendStatements#SHARED_MAX} events): all of them or none, and when none, the batch function decides each
 * request as it would have at first. Called as a runtime role under row-level security (NOBYPASSRLS, not the owner).
 * LoneAppendTest runs its rules for one append against this statement too.
 */
class SharedAppendTest extends RuntimeRoleTest {

  private static final String EVENTS = "SELECT string_agg(tenant || ':' || entity_id || ':' || sequence_nr || '='"
      + " || coalesce(metadata ->> 'event_id', '-'), ' ' ORDER BY tenant, entity_id, sequence_nr) FROM events";

  @Test
  void the_shared_insert_writes_every_append_when_each_stream_is_where_it_expects_and_else_nothing() {
    assertThat(shared(append("acme", "a", 0, "a1"))).isEqualTo(1);

    assertThat(shared(append("acme", "a", 1, "a2"), append("acme", "b", 0, "b1"), append("acme", "c", 0, "c1", "c2")))
        .isEqualTo(4);
    assertThat(shared(append("acme", "a", 2, "x"), append("acme", "b", 0, "y"))).as("b's head is 1").isZero();
    assertThat(shared(append("acme", "a", 5, "x"), append("acme", "d", 0, "y"))).as("a is not at 5 yet").isZero();
    assertThat(shared(append("acme", "d", 0, "y"), append("acme", "e", 1, "z"))).as("e is empty").isZero();
    assertThat(shared(append("acme", "a", 2, "a3"), append("acme", "b", 1, "b2"))).isEqualTo(2);

    assertThat(database.admin().strings(EVENTS))
        .containsExactly("acme:a:1=a1 acme:a:2=a2 acme:a:3=a3 acme:b:1=b1 acme:b:2=b2 acme:c:1=c1 acme:c:2=c2");
  }

  @Test
  void the_shared_insert_writes_nothing_beside_a_tombstoned_stream_nor_in_a_transaction_that_has_written() {
    assertThat(shared(append("acme", "gone", 0, "g1"))).isEqualTo(1);
    database.admin().strings("SELECT outcome FROM temper_store_change_stream('acme', 'Order', 'gone', 'tombstone',"
        + " NULL, NULL, 'test')");
    assertThat(shared(append("acme", "fresh", 0, "f1"), append("acme", "gone", 1, "g2"))).isZero();

    AppendStatements.Statement late = AppendStatements.insertShared(
        List.of(List.of(append("acme", "late", 0, "l1")), List.of(append("acme", "later", 0, "l2"))));
    assertThat(AfterAWrite.eventsWritten(runtime, late)).as("its head checks would come after its transaction id")
        .isZero();
    assertThat(database.admin().strings(EVENTS))
        .as("the tombstone's rows: the position after the old head, and the highest")
        .containsExactly("acme:gone:1=g1 acme:gone:2=- acme:gone:" + Long.MAX_VALUE + "=- acme:other:1=-");
  }

  @Test
  void a_shared_insert_that_loses_one_position_to_a_concurrent_writer_writes_none_of_its_appends() throws Exception {
    SqlConnection first = runtime.getConnection().await();
    SqlConnection second = runtime.getConnection().await();
    try {
      first.query("BEGIN").execute().await();
      AppendStatements.Statement one = AppendStatements.insert(append("acme", "s", 0, "first"));
      assertThat(first.preparedQuery(one.sql()).execute(one.arguments()).await().rowCount()).isEqualTo(1);
      // r sorts before s: the second writes r's event, then waits on s's position for the first's commit
      AppendStatements.Statement two = AppendStatements.insertShared(
          List.of(List.of(append("acme", "r", 0, "r1")), List.of(append("acme", "s", 0, "s1"))));
      Future<Integer> racing = second.preparedQuery(two.sql()).execute(two.arguments()).map(RowSet::rowCount);
      TableLock.awaitWaiters(database, role, 1);
      first.query("COMMIT").execute().await();

      Throwable failure = racing.toCompletionStage().toCompletableFuture().handle((ok, error) -> error)
          .get(30, TimeUnit.SECONDS);
      assertThat(failure).as("the racing shared INSERT").isNotNull();
      assertThat(SqlErrors.isUniqueViolation(failure.getCause() == null ? failure : failure.getCause()))
          .as("%s", failure).isTrue();
      assertThat(database.admin().strings(EVENTS)).containsExactly("acme:s:1=first");
    } finally {
      first.close().await();
      second.close().await();
    }
  }

  @Test
  void appends_queued_together_to_streams_where_they_expect_are_written_by_one_insert_without_the_batch_function()
      throws Exception {
    // any call of the batch function now fails: the batch must go by the shared INSERT alone
    database.admin().execute("REVOKE EXECUTE ON FUNCTION temper_store_append FROM PUBLIC, " + role);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<CompletableFuture<Long>> queued = new ArrayList<>();
    try (TableLock heldRow = TableLock.holdEventPosition(vertx, database, "acme", "Order", "held", 1)) {
      EventStore store = storeOfOneStatement(registry);
      CompletableFuture<Long> held = store.append(PersistenceId.parse("acme:Order:held"), 0, events(1))
          .subscribeAsCompletionStage();
      heldRow.awaitWaiters(role, 1);
      for (String stream : List.of("q-3", "q-1", "q-2")) {
        queued.add(store.append(PersistenceId.parse("acme:Order:" + stream), 0, events(2))
            .subscribeAsCompletionStage());
      }
      heldRow.release();

      assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      for (CompletableFuture<Long> append : queued) {
        assertThat(append.get(30, TimeUnit.SECONDS)).isEqualTo(2);
      }
    }
    assertThat(registry.get(AppendMetrics.STATEMENTS).timer().count()).as("the held one, then the three").isEqualTo(2);
    assertThat(registry.get(AppendMetrics.REQUESTS_PER_STATEMENT).summary().max()).isEqualTo(3);
    assertThat(database.admin().strings("SELECT string_agg(entity_id || ':' || sequence_nr, ' ' ORDER BY id)"
        + " FROM events")).as("written in stream order, the lock order of every batch")
        .containsExactly("held:1 q-1:1 q-1:2 q-2:1 q-2:2 q-3:1 q-3:2");
  }

  @Test
  void in_a_batch_an_append_whose_stream_is_elsewhere_is_refused_alone_and_the_others_are_written() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EventStore store = storeOfOneStatement(registry);
    store.append(PersistenceId.parse("acme:Order:stale"), 0, events(1)).await().indefinitely();
    CompletableFuture<Long> first;
    CompletableFuture<Long> stale;
    CompletableFuture<Long> last;
    try (TableLock heldRow = TableLock.holdEventPosition(vertx, database, "acme", "Order", "held", 1)) {
      CompletableFuture<Long> held = store.append(PersistenceId.parse("acme:Order:held"), 0, events(1))
          .subscribeAsCompletionStage();
      heldRow.awaitWaiters(role, 1);
      first = store.append(PersistenceId.parse("acme:Order:a"), 0, events(1)).subscribeAsCompletionStage();
      stale = store.append(PersistenceId.parse("acme:Order:stale"), 0, events(1)).subscribeAsCompletionStage();
      last = store.append(PersistenceId.parse("acme:Order:z"), 0, events(1)).subscribeAsCompletionStage();
      heldRow.release();
      assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }

    assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(last.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(stale.handle((ok, error) -> error).get(30, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> assertThat(conflict.getMessage())
            .isEqualTo("optimistic concurrency violation: expected sequence 0, got 1 (stream: acme:Order:stale)"));
    assertThat(registry.get(AppendMetrics.STATEMENTS).timer().count())
        .as("the first append, the held one, the shared INSERT that wrote nothing, the batch function")
        .isEqualTo(4);
    assertThat(database.admin().strings("SELECT string_agg(entity_id || ':' || sequence_nr, ' ' ORDER BY"
        + " entity_id) FROM events")).containsExactly("a:1 held:1 stale:1 z:1");
  }

  /** The store as the runtime role, one statement in flight at a time, so that what arrives meanwhile is batched. */
  private EventStore storeOfOneStatement(SimpleMeterRegistry registry) {
    return new PgEventStore(runtime, vertx.getOrCreateContext(), EventLimits.defaults().withConcurrentBatches(1),
        tenants -> { }, AppendMetrics.to(registry));
  }

  /** {@code appends} by one shared INSERT, each its own request; the events it wrote (its command tag). */
  private int shared(EncodedAppend... appends) {
    List<List<EncodedAppend>> requests = new ArrayList<>();
    for (EncodedAppend append : appends) {
      requests.add(List.of(append));
    }
    AppendStatements.Statement insert = AppendStatements.insertShared(requests);
    RowSet<?> reply = runtime.preparedQuery(insert.sql()).execute(insert.arguments()).await();
    assertThat(reply.size()).as("rows sent back: the command tag counts the events written").isZero();
    return reply.rowCount();
  }
}
