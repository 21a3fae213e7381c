package dev.temperstore.events;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.internal.events.AppendMetrics;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.AppendCalls;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.MigratedDatabase;
import dev.temperstore.testing.StreamOrder;
import dev.temperstore.testing.TableLock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An append whose stream reaches the expected position only after its statement checked it (another store instance
 * wrote the predecessor meanwhile) is written by a new statement, after that predecessor in the feed, rather than
 * refused with a conflict that names the very position it expected.
 */
class AppendResendTest extends DatabaseTest {

  private static final PersistenceId HELD = PersistenceId.parse("acme:Order:held");
  private static final PersistenceId MOVED = PersistenceId.parse("acme:Order:moved");

  private String role;
  private Pool pool;
  private SimpleMeterRegistry registry;
  private EventStore store;

  @BeforeEach
  void store() {
    role = MigratedDatabase.createServingRole(database);
    pool = database.as(role).pool(vertx, 2);
    registry = new SimpleMeterRegistry();
    store = new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults(), tenants -> { },
        AppendMetrics.to(registry));
  }

  @AfterEach
  void closePool() {
    pool.close().await();
  }

  @Test
  void an_append_whose_stream_reached_the_expected_position_after_the_check_is_written_by_a_new_statement()
      throws Exception {
    CompletableFuture<List<AppendResult>> batch;
    try (TableLock heldRow = TableLock.holdEventPosition(vertx, database, "acme", "Order", "held", 1)) {
      // The batch checks both heads (moved is at 0, not at 1), then waits on held:1 ...
      batch = store.appendBatch(List.of(new AppendRequest(HELD, 0, events(1)), new AppendRequest(MOVED, 1,
          events(1)))).subscribeAsCompletionStage();
      heldRow.awaitWaiters(role, 1);
      // ... while another instance writes moved:1, the predecessor it expected.
      assertThat(AppendCalls.one(pool, "acme", "moved", 0).await()).isEqualTo("ok 1");
    }

    assertThat(batch.get(30, TimeUnit.SECONDS)).extracting(AppendResult::sequenceNr).containsExactly(1L, 2L);
    assertThat(registry.get(AppendMetrics.RESENT).counter().count()).isEqualTo(1);
    assertThat(StreamOrder.outOfSequenceInTable(database)).isEmpty();
    assertThat(database.admin().strings("SELECT entity_id || ':' || sequence_nr FROM events"
        + " ORDER BY coalesce(tx_id, '0'::xid8), id")).containsExactly("moved:1", "held:1", "moved:2");
  }

  @Test
  void an_append_behind_its_stream_is_refused_at_once_with_the_actual_sequence() throws Exception {
    store.append(MOVED, 0, events(2)).await().atMost(java.time.Duration.ofSeconds(30));

    assertThatThrownBy(() -> store.append(MOVED, 1, events(1)).subscribeAsCompletionStage().get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConcurrencyConflict.class)
        .hasMessageContaining("expected sequence 1").hasMessageContaining("2");
    assertThat(registry.get(AppendMetrics.RESENT).counter().count()).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(2);
  }
}
