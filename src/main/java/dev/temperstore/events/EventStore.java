package dev.temperstore.events;

import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.Optional;

/**
 * Append-only event streams with optimistic concurrency, Temper's semantics with bounded reads.
 *
 * <p>Every method returns a lazy {@link Uni} and never throws: failures arrive as
 * {@link dev.temperstore.errors.StoreException}s ({@code InvalidRequest}, {@code ConcurrencyConflict},
 * {@code TooLarge}, {@code StorageFailure}, {@code Unavailable}).
 */
public interface EventStore {

  /**
   * The highest sequence number an event can take. The one above it marks a tombstoned stream
   * ({@code streams.tombstone}), so that every append to it fails.
   */
  long HIGHEST_SEQUENCE = Long.MAX_VALUE - 1;

  /**
   * Appends {@code events} at {@code expectedSequence + 1, + 2, …} and returns the new highest sequence.
   * A stale {@code expectedSequence}, or a writer that got there first, fails with a {@code ConcurrencyConflict}
   * carrying expected and actual. Appending the very same events again (same event ids at the same positions)
   * returns the original result: a client that timed out may retry. An empty list returns {@code expectedSequence}.
   */
  Uni<Long> append(PersistenceId persistenceId, long expectedSequence, List<NewEvent> events);

  /** Several streams, all or nothing: one conflict and nothing at all is written. */
  Uni<List<AppendResult>> appendBatch(List<AppendRequest> appends);

  /** Up to {@code limit} events with a sequence above {@code fromSequence}, in order. */
  Uni<EventPage> read(PersistenceId persistenceId, long fromSequence, int limit);

  /** Up to {@code limit} entities of {@code tenant} (of one type, if given) after {@code after}, in a stable order. */
  Uni<EntityIdPage> listEntityIds(String tenant, Optional<String> entityType, Optional<EntityId> after, int limit);
}
