package dev.temperstore.snapshots;

import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;

import java.util.Optional;

/** One snapshot per entity, replaced only by a newer one (a monotonic compare-and-set). */
public interface SnapshotStore {

  /**
   * Saves {@code state} as of {@code sequenceNr}. A lower sequence than the stored one is a
   * {@code ConcurrencyConflict}; the same sequence with the same bytes succeeds and changes nothing; the same
   * sequence with other bytes is a {@code ConcurrencyConflict}.
   */
  Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state);

  /**
   * As {@link #save(PersistenceId, long, byte[])}, the state being personal data of {@code subject}: it is stored
   * encrypted under the subject's key, and once the subject is forgotten the snapshot loads as absent (rebuild from
   * the events, whose personal fields then read as their replacements). A subject already forgotten is refused
   * ({@code SubjectForgotten}, 410).
   */
  default Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state, String subject) {
    return Uni.createFrom().failure(new UnsupportedOperationException(
        getClass().getSimpleName() + " does not store personal snapshots"));
  }

  /** The latest snapshot, or empty when none was saved. */
  Uni<Optional<Snapshot>> load(PersistenceId persistenceId);
}
