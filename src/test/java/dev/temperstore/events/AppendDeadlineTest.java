package dev.temperstore.events;

import dev.temperstore.errors.Unavailable;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TableLock;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/** An append that is still queued for a group commit when its deadline passes is dropped, unwritten, with a 503. */
class AppendDeadlineTest extends DatabaseTest {

  private static final Duration DEADLINE = Duration.ofMillis(500);
  private static final PersistenceId FIRST = PersistenceId.parse("acme:Order:first");
  private static final PersistenceId QUEUED = PersistenceId.parse("acme:Order:queued");

  private Pool pool;
  private EventStore store;

  @BeforeEach
  void storeWithAShortDeadline() {
    pool = database.asOwner().pool(vertx, 2); // no statement_timeout: only the queue's deadline is at work
    // one batch in flight, so that an append held in the database keeps the next one queued
    store = new PgEventStore(pool, vertx.getOrCreateContext(),
        EventLimits.defaults().withDeadline(DEADLINE).withConcurrentBatches(1));
  }

  @AfterEach
  void closePool() {
    pool.close().await();
  }

  @Test
  void an_append_queued_past_its_deadline_fails_503_and_is_never_written() {
    CompletableFuture<Optional<Throwable>> first;
    CompletableFuture<Optional<Throwable>> queued;
    try (TableLock lock = TableLock.hold(vertx, database, "events")) {
      first = outcome(store.append(FIRST, 0, events(1)));
      lock.awaitWaiters(database.owner(), 1); // the one batch slot is taken: the next append queues
      queued = outcome(store.append(QUEUED, 0, events(2)));

      assertThat(queued.join().orElseThrow())
          .isInstanceOfSatisfying(Unavailable.class, e -> assertThat(e.code()).isEqualTo(503))
          .hasMessage("deadline exceeded: append to acme:Order:queued still queued after 500 ms"
              + " (temper.requests.deadline), not written; retry later");
    }

    assertThat(first.join()).isEmpty(); // it was in the database already: the statement decides it
    long again = store.append(QUEUED, 0, events(1)).await().atMost(Duration.ofSeconds(30));
    assertThat(again).isEqualTo(1); // the dropped append never reached the stream
    assertThat(database.admin().strings("SELECT entity_id || ':' || sequence_nr FROM events ORDER BY entity_id"))
        .containsExactly("first:1", "queued:1");
  }

  @Test
  void a_cancelled_append_leaves_the_queue_and_the_next_for_its_stream_goes_ahead() {
    CompletableFuture<Optional<Throwable>> first;
    try (TableLock lock = TableLock.hold(vertx, database, "events")) {
      first = outcome(store.append(FIRST, 0, events(1)));
      lock.awaitWaiters(database.owner(), 1);
      store.append(QUEUED, 0, events(2)).subscribe().with(sequence -> { }, failure -> { }).cancel();
    }
    long next = store.append(QUEUED, 0, events(1)).await().atMost(Duration.ofSeconds(30));

    assertThat(first.join()).isEmpty();
    assertThat(next).isEqualTo(1);
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id = 'queued'")).isEqualTo(1);
  }

  private static CompletableFuture<Optional<Throwable>> outcome(Uni<Long> append) {
    return append.map(sequence -> Optional.<Throwable>empty())
        .onFailure().recoverWithItem(Optional::of)
        .ifNoItem().after(Duration.ofSeconds(30)).fail()
        .subscribeAsCompletionStage();
  }
}
