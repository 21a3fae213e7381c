package dev.temperstore.postgres;

import dev.temperstore.errors.Unavailable;
import dev.temperstore.events.EventLimits;
import dev.temperstore.events.EventStore;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TableLock;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A database that goes away under a request, or was never there, is a 503 the client may retry: not a 500. */
class DatabaseOutageTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final PersistenceId ORDER = PersistenceId.parse("acme:Order:o-1");

  @Test
  void a_serving_connection_terminated_mid_statement_is_a_503_with_a_retry_hint_and_writes_nothing() {
    Pool serving = database.asOwner().pool(vertx, 2);
    try (TableLock lock = TableLock.hold(vertx, database, "events")) {
      EventStore store = new PgEventStore(serving, vertx.getOrCreateContext(), EventLimits.defaults());
      CompletableFuture<Throwable> outcome = store.append(ORDER, 0, events(2))
          .map(sequence -> (Throwable) null).onFailure().recoverWithItem(e -> e)
          .subscribeAsCompletionStage();
      lock.awaitWaiters(database.owner(), 1);

      // Pids first: in one WHERE, the planner may call pg_terminate_backend before the role filter.
      long terminated = database.admin().count("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM"
          + " (SELECT pid FROM pg_stat_activity WHERE usename = $1 AND datname = $2 OFFSET 0) serving",
          database.owner(), database.name());
      Throwable failure = outcome.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
      lock.release();

      assertThat(terminated).isPositive();
      assertThat(failure).isInstanceOfSatisfying(Unavailable.class, e -> assertThat(e.code()).isEqualTo(503))
          .hasMessageStartingWith("database unavailable during append to acme:Order:o-1")
          .hasMessageEndingWith("retry later");
      assertThat(database.admin().count("SELECT count(*) FROM events")).isZero();
    } finally {
      serving.close().await();
    }
  }

  @Test
  void a_server_that_cannot_be_reached_is_a_503() {
    int closedPort = dev.temperstore.testing.Ports.free();
    DatabaseTarget nowhere = new DatabaseTarget(new PgConnectOptions(database.asOwner().options()).setPort(closedPort),
        Duration.ofSeconds(5));
    Pool pool = nowhere.pool(vertx, 1, Duration.ofSeconds(5));
    try {
      EventStore store = new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults());

      assertThatThrownBy(() -> store.read(ORDER, 0, 10).await().atMost(TIMEOUT))
          .isInstanceOf(Unavailable.class)
          .hasMessageStartingWith("database unavailable during read of acme:Order:o-1: ")
          .hasMessageEndingWith("; retry later");
    } finally {
      pool.close().await();
    }
  }
}
