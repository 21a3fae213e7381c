package dev.temperstore.events;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static dev.temperstore.testing.Events.event;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit writes many requests in one statement; a request whose data the database refuses must fail alone.
 * The bad payloads here reach the database because the store layer is called directly, below the bus's input gate.
 */
class AppendIsolationTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;

  private Pool pool;
  private EventStore store;

  @BeforeEach
  void storeOnOnePool() {
    pool = database.asOwner().pool(vertx, 4);
    store = new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults());
  }

  @AfterEach
  void closePool() {
    pool.close().await();
  }

  @Test
  void a_nul_in_one_tenants_payload_fails_only_that_append_and_600_concurrent_appends_of_another_tenant_are_written() {
    List<CompletableFuture<Optional<Throwable>>> valid = new ArrayList<>();
    CompletableFuture<Optional<Throwable>> bad = null;
    for (int i = 0; i < 600; i++) {
      valid.add(outcome(store.append(PersistenceId.parse("acme:Order:o-" + i), 0, events(2))));
      if (i == 300) {
        bad = outcome(store.append(PersistenceId.parse("beta:Order:evil"), 0, List.of(withNul())));
      }
    }

    assertThat(bad.join().orElseThrow())
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.code()).isEqualTo(400))
        .hasMessageStartingWith("append to beta:Order:evil rejected by the database: ")
        .hasMessageContaining("SQLSTATE 22P05");
    assertThat(valid).allSatisfy(append -> assertThat(append.join()).isEmpty());
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'acme'")).isEqualTo(1200);
    assertThat(database.admin().count("SELECT count(DISTINCT entity_id) FROM events WHERE tenant = 'acme'"
        + " AND sequence_nr IN (1, 2)")).isEqualTo(600);
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'beta'")).isZero();
  }

  @Test
  void two_bad_appends_in_one_batch_fail_each_on_its_own_and_every_other_append_is_written() {
    List<CompletableFuture<Optional<Throwable>>> valid = new ArrayList<>();
    List<CompletableFuture<Optional<Throwable>>> bad = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      valid.add(outcome(store.append(PersistenceId.parse("acme:Order:o-" + i), 0, events(1))));
      if (i == 10 || i == 90) {
        bad.add(outcome(store.append(PersistenceId.parse("acme:Bad:b-" + i), 0, List.of(withNul()))));
      }
    }

    assertThat(bad).allSatisfy(append -> assertThat(append.join()).get().isInstanceOf(InvalidRequest.class));
    assertThat(valid).allSatisfy(append -> assertThat(append.join()).isEmpty());
    assertThat(database.admin().strings("SELECT DISTINCT entity_type FROM events")).containsExactly("Order");
    assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(100);
  }

  @Test
  void a_valid_append_to_a_stream_queued_behind_a_failing_batch_is_written_afterwards() {
    PersistenceId order = PersistenceId.parse("acme:Order:o-1");
    List<CompletableFuture<Optional<Throwable>>> first = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      first.add(outcome(store.append(PersistenceId.parse("acme:Order:x-" + i), 0, events(1))));
    }
    CompletableFuture<Optional<Throwable>> bad = outcome(store.append(order, 0, List.of(withNul())));
    CompletableFuture<Optional<Throwable>> next = outcome(store.append(order, 0, events(3)));

    assertThat(bad.join()).get().isInstanceOf(InvalidRequest.class);
    assertThat(next.join()).isEmpty();
    assertThat(first).allSatisfy(append -> assertThat(append.join()).isEmpty());
    assertThat(database.admin().count("SELECT max(sequence_nr) FROM events WHERE entity_id = 'o-1'")).isEqualTo(3);
  }

  private static NewEvent withNul() {
    NewEvent template = event("Evil", 1);
    return new NewEvent("Evil", new JsonObject().put("note", "before\u0000after"), template.metadata());
  }

  private static CompletableFuture<Optional<Throwable>> outcome(Uni<Long> append) {
    return append.map(sequence -> Optional.<Throwable>empty())
        .onFailure().recoverWithItem(Optional::of)
        .ifNoItem().after(TIMEOUT).fail()
        .subscribeAsCompletionStage();
  }
}
