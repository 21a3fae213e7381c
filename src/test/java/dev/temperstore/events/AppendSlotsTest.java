package dev.temperstore.events;

import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TableLock;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under light load appends to different streams go to the database side by side (up to
 * {@code temper.events.concurrent-batches} statements), so a few writers do not wait for each other's commits.
 */
class AppendSlotsTest extends DatabaseTest {

  private static final PersistenceId HELD = PersistenceId.parse("acme:Order:held");
  private static final PersistenceId FREE = PersistenceId.parse("acme:Order:free");

  @Test
  void under_light_load_an_append_is_written_while_another_streams_append_waits_in_the_database() {
    Pool pool = database.asOwner().pool(vertx, 4);
    // an uncommitted row at the position the first append takes: its insert waits for this transaction
    try (TableLock heldRow = TableLock.holdEventPosition(vertx, database, "acme", "Order", "held", 1)) {
      EventStore store = new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults());
      CompletableFuture<Long> held = store.append(HELD, 0, events(1)).subscribeAsCompletionStage();
      heldRow.awaitWaiters(database.owner(), 1);

      long free = store.append(FREE, 0, events(2)).await().atMost(Duration.ofSeconds(30));

      assertThat(free).isEqualTo(2);
      assertThat(held).isNotDone();
      heldRow.release();
      assertThat(held.join()).isEqualTo(1);
      assertThat(database.admin().strings("SELECT entity_id || ':' || sequence_nr || ':' || event_type FROM events"
          + " ORDER BY entity_id, sequence_nr"))
          .containsExactly("free:1:" + events(2).get(0).eventType(), "free:2:" + events(2).get(1).eventType(),
              "held:1:" + events(1).get(0).eventType());
    } finally {
      pool.close().await();
    }
  }
}
