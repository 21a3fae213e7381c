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

  /** The latest snapshot, or empty when none was saved. */
  Uni<Optional<Snapshot>> load(PersistenceId persistenceId);
}
