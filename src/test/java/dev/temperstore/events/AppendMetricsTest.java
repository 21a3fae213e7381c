package dev.temperstore.events;

import dev.temperstore.internal.events.AppendMetrics;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TableLock;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/** The batcher tells its registry how long appends waited in its queue and how long their statements took. */
class AppendMetricsTest extends DatabaseTest {

  private static final PersistenceId HELD = PersistenceId.parse("acme:Order:held");
  private static final PersistenceId QUEUED = PersistenceId.parse("acme:Order:queued");
  private static final long HOLD_MILLIS = 400;

  @Test
  void an_append_queued_behind_a_slow_statement_is_recorded_with_its_wait_and_both_statements_with_their_time()
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Pool pool = database.asOwner().pool(vertx, 2);
    try (TableLock heldRow = TableLock.holdEventPosition(vertx, database, "acme", "Order", "held", 1)) {
      // one statement in flight at a time, so the second append waits in the queue for the first
      EventStore store = new PgEventStore(pool, vertx.getOrCreateContext(),
          EventLimits.defaults().withConcurrentBatches(1), tenants -> { }, AppendMetrics.to(registry));
      CompletableFuture<Long> held = store.append(HELD, 0, events(1)).subscribeAsCompletionStage();
      heldRow.awaitWaiters(database.owner(), 1);
      CompletableFuture<Long> queued = store.append(QUEUED, 0, events(1)).subscribeAsCompletionStage();
      Thread.sleep(HOLD_MILLIS);
      heldRow.release();

      assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(queued.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      Timer waits = registry.get(AppendMetrics.QUEUED).timer();
      Timer statements = registry.get(AppendMetrics.STATEMENTS).timer();
      DistributionSummary requests = registry.get(AppendMetrics.REQUESTS_PER_STATEMENT).summary();
      assertThat(waits.count()).isEqualTo(2);
      assertThat(waits.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(HOLD_MILLIS);
      assertThat(statements.count()).isEqualTo(2);
      assertThat(statements.max(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(HOLD_MILLIS);
      assertThat(requests.totalAmount()).isEqualTo(2);
      assertThat(database.admin().strings("SELECT entity_id || ':' || sequence_nr FROM events ORDER BY entity_id"))
          .containsExactly("held:1", "queued:1");
    } finally {
      pool.close().await();
    }
  }
}
