package dev.temperstore.snapshots;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.internal.snapshots.PgSnapshotStore;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgSnapshotStoreTest extends DatabaseTest {

  private static final PersistenceId ID = PersistenceId.parse("acme:Order:o-1");

  private Pool pool;
  private SnapshotStore store;

  @BeforeEach
  void migratedDatabase() {
    pool = database.asOwner().pool(vertx, 2);
    store = new PgSnapshotStore(pool, 1024);
  }

  @AfterEach
  void closeConnections() {
    pool.close().await();
  }

  @Test
  void load_of_an_entity_without_a_snapshot_is_empty() {
    assertThat(await(store.load(ID))).isEmpty();
  }

  @Test
  void a_newer_snapshot_replaces_the_stored_one() {
    await(store.save(ID, 5, bytes("five")));
    await(store.save(ID, 9, bytes("nine")));

    Snapshot loaded = await(store.load(ID)).orElseThrow();
    assertThat(loaded.sequenceNr()).isEqualTo(9);
    assertThat(loaded.state()).isEqualTo(bytes("nine"));
    assertThat(stored()).containsExactly("9|nine");
  }

  @Test
  void a_lower_sequence_than_stored_is_a_conflict_and_changes_nothing() {
    await(store.save(ID, 9, bytes("nine")));

    assertThatThrownBy(() -> await(store.save(ID, 5, bytes("five"))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> {
          assertThat(conflict.expected()).isEqualTo(5);
          assertThat(conflict.actual()).isEqualTo(9);
        })
        .hasMessage("snapshot rejected: sequence 5 is older than the stored snapshot at 9 (stream: acme:Order:o-1)");
    assertThat(stored()).containsExactly("9|nine");
  }

  @Test
  void the_same_sequence_with_the_same_bytes_is_an_idempotent_success() {
    await(store.save(ID, 9, bytes("nine")));
    String createdAt = database.admin().strings("SELECT created_at::text FROM snapshots").get(0);

    await(store.save(ID, 9, bytes("nine")));

    assertThat(stored()).containsExactly("9|nine");
    assertThat(database.admin().strings("SELECT created_at::text FROM snapshots")).containsExactly(createdAt);
  }

  @Test
  void the_same_sequence_with_different_bytes_is_a_conflict_and_keeps_the_stored_bytes() {
    await(store.save(ID, 9, bytes("nine")));

    assertThatThrownBy(() -> await(store.save(ID, 9, bytes("NINE"))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, conflict -> assertThat(conflict.actual()).isEqualTo(9))
        .hasMessage("snapshot rejected: a different snapshot is already stored at sequence 9 (stream: acme:Order:o-1)");
    assertThat(stored()).containsExactly("9|nine");
  }

  @Test
  void racing_saves_of_increasing_sequences_leave_the_highest() {
    List<Uni<Void>> saves = new java.util.ArrayList<>();
    for (int sequence = 1; sequence <= 20; sequence++) {
      saves.add(store.save(ID, sequence, bytes("s" + sequence))
          .onFailure(ConcurrencyConflict.class).recoverWithNull());
    }
    Uni.join().all(saves).andFailFast().await().atMost(Duration.ofSeconds(30));

    assertThat(stored()).containsExactly("20|s20");
  }

  @Test
  void a_state_over_the_limit_is_refused_before_the_database() {
    assertThatThrownBy(() -> await(store.save(ID, 1, new byte[1025])))
        .isInstanceOf(TooLarge.class)
        .hasMessage("snapshot of acme:Order:o-1 is 1025 bytes, over the limit of 1024");
    assertThat(await(store.load(ID))).isEqualTo(Optional.empty());
  }

  private List<String> stored() {
    return database.admin().strings("SELECT sequence_nr || '|' || convert_from(state, 'UTF8') FROM snapshots");
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

}
