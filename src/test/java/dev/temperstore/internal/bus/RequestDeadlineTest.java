package dev.temperstore.internal.bus;

import dev.temperstore.client.StoreClient;
import dev.temperstore.protocol.Addresses;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.events.NewEvent;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.TableLock;
import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/** A store that is up answers every request within its deadline, so the client's longer timeout never fires. */
class RequestDeadlineTest extends DatabaseTest {

  private static final Duration DEADLINE = Duration.ofSeconds(1);

  private StoreClient client;

  @BeforeEach
  void storeWithAOneSecondDeadline() {
    StoreSettings settings = StoreSettings.defaults(database.asOwner()).withRequestDeadline(DEADLINE);
    vertx.deployVerticle(new StoreVerticle(settings)).await();
    client = new StoreClient(vertx, Addresses.defaults(), StoreClient.timeoutAbove(DEADLINE));
  }

  @Test
  void requests_stuck_behind_a_lock_are_answered_503_at_the_deadline_not_left_to_the_client_timeout() {
    PersistenceId inDatabase = PersistenceId.parse("acme:Order:first");
    PersistenceId queued = PersistenceId.parse("acme:Order:queued");
    List<NewEvent> queuedEvents = events(1);
    long started = System.nanoTime();
    Optional<Throwable> first;
    Optional<Throwable> second;
    Optional<Throwable> read;
    try (TableLock lock = TableLock.hold(vertx, database, "events")) {
      CompletableFuture<Optional<Throwable>> firstAppend = outcome(client.append(inDatabase, 0, events(1)));
      lock.awaitWaiters(database.owner(), 1);
      CompletableFuture<Optional<Throwable>> queuedAppend = outcome(client.append(queued, 0, queuedEvents));
      CompletableFuture<Optional<Throwable>> blockedRead = outcome(client.read(inDatabase, 0, 10));
      first = firstAppend.join();
      second = queuedAppend.join();
      read = blockedRead.join();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    for (Optional<Throwable> failure : List.of(first, second, read)) {
      assertThat(failure.orElseThrow())
          .isInstanceOfSatisfying(Unavailable.class, e -> assertThat(e.code()).isEqualTo(503))
          .message().doesNotContain("no reply");
    }
    // Dropped from the queue unwritten, or answered while its statement waited, which may still commit.
    assertThat(second.orElseThrow()).hasMessageStartingWith("deadline exceeded: ");
    assertThat(took).isLessThan(StoreClient.timeoutAbove(DEADLINE));
    // Either way, retrying the very same append is safe: it is written exactly once.
    assertThat(client.append(queued, 0, queuedEvents).await().atMost(Duration.ofSeconds(10))).isEqualTo(1);
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id = 'queued'")).isEqualTo(1);
  }

  private static <T> CompletableFuture<Optional<Throwable>> outcome(Uni<T> request) {
    return request.map(reply -> Optional.<Throwable>empty())
        .onFailure().recoverWithItem(Optional::of)
        .subscribeAsCompletionStage();
  }
}
