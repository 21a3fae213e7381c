package dev.temperstore.lifecycle;

import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;

import java.util.List;
import java.util.OptionalLong;

/**
 * Forgetting events: each change is hidden from every read, the feed and every subscription the moment it
 * commits, and the sweeper removes the rows within a bound (docs/protocol.md, "Stream lifecycle"). Each takes an
 * optional expected head ({@code ConcurrencyConflict} when the stream is elsewhere), is idempotent, and is atomic
 * with respect to concurrent appends of the stream. {@code actor} names who asked, for the audit table.
 *
 * <p>Failures arrive as {@link dev.temperstore.errors.StoreException}s: {@code InvalidRequest},
 * {@code ConcurrencyConflict}, {@code StorageFailure}, {@code Unavailable}.
 */
public interface StreamLifecycle {

  /** Hides the events below {@code before} (at most the head + 1) and a snapshot below it; numbering goes on. */
  Uni<StreamChange> truncate(PersistenceId stream, long before, OptionalLong expectedHead, String actor);

  /** Hides every event and the snapshot; a later append continues the numbering after the last deleted event. */
  Uni<StreamChange> delete(PersistenceId stream, OptionalLong expectedHead, String actor);

  /** Deletes for good: every later append is refused with {@code StreamTombstoned} (410), forever. */
  Uni<StreamChange> tombstone(PersistenceId stream, OptionalLong expectedHead, String actor);

  /** Sets (or replaces) the tenant's policy for {@code policy.entityType()}. */
  Uni<Void> setRetention(String tenant, RetentionPolicy policy, String actor);

  /** Removes the tenant's policy for {@code entityType}; false when it had none. */
  Uni<Boolean> clearRetention(String tenant, String entityType, String actor);

  /** The tenant's policies, by entity type. */
  Uni<List<RetentionPolicy>> retention(String tenant);
}
