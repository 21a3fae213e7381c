package dev.temperstore.internal.snapshots;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.internal.subjects.KeyState;
import dev.temperstore.internal.subjects.SubjectCipher;
import dev.temperstore.internal.subjects.SubjectKeys;
import dev.temperstore.subjects.PersonalData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import dev.temperstore.snapshots.Snapshot;
import dev.temperstore.snapshots.SnapshotStore;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;

/** Snapshots on PostgreSQL: the compare-and-set is one statement ({@code temper_store_save_snapshot}). */
public final class PgSnapshotStore implements SnapshotStore {

  private static final Logger LOG = LoggerFactory.getLogger(PgSnapshotStore.class);

  /** One function for every save, so that a save replaces the subject too (subjects/snapshots.sql). */
  private static final String SAVE = "SELECT outcome, stored_sequence"
      + " FROM temper_store_save_snapshot_personal($1, $2, $3, $4, $5, $6)";
  private static final String LOAD = "SELECT sequence_nr, state, subject"
      + " FROM temper_store_load_snapshot_personal($1, $2, $3)";

  private final Pool pool;
  private final int maxStateBytes;
  private final SubjectKeys keys;

  public PgSnapshotStore(Pool pool, int maxStateBytes) {
    this(pool, maxStateBytes, SubjectKeys.disabled());
  }

  /** As above, personal snapshots sealed and opened with {@code keys}. */
  public PgSnapshotStore(Pool pool, int maxStateBytes, SubjectKeys keys) {
    this.pool = pool;
    this.maxStateBytes = maxStateBytes;
    this.keys = keys;
  }

  @Override
  public Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state) {
    return Uni.createFrom().deferred(() -> {
      check(persistenceId, sequenceNr, state);
      return write(persistenceId, sequenceNr, state, null);
    });
  }

  @Override
  public Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state, String subject) {
    return Uni.createFrom().deferred(() -> {
      check(persistenceId, sequenceNr, state);
      PersonalData.checkSubject(subject);
      String what = "snapshot save of " + persistenceId;
      return keys.forWriting(persistenceId.tenant(), what, List.of(subject))
          .flatMap(live -> write(persistenceId, sequenceNr, keys.cipher().orElseThrow().sealSnapshot(
              live.get(subject).key(), persistenceId, sequenceNr, subject, state), subject));
    });
  }

  private void check(PersistenceId persistenceId, long sequenceNr, byte[] state) {
    if (sequenceNr < 0) {
      throw new InvalidRequest("sequenceNr must be 0 or more, got " + sequenceNr);
    }
    if (state.length > maxStateBytes) {
      throw new TooLarge("snapshot of " + persistenceId + " is " + state.length + " bytes, over the limit of "
          + maxStateBytes);
    }
  }

  private Uni<Void> write(PersistenceId persistenceId, long sequenceNr, byte[] state, String subject) {
    Tuple args = Tuple.of(persistenceId.tenant(), persistenceId.entityType(), persistenceId.entityId(), sequenceNr,
        Buffer.buffer(state), subject);
    return Reactive.uni(() -> pool.preparedQuery(SAVE).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("snapshot save of " + persistenceId, e))
        .map(rows -> {
          Row row = rows.iterator().next();
          long stored = row.getLong("stored_sequence");
          return switch (row.getString("outcome")) {
            case "saved", "unchanged" -> null;
            case "stale" -> throw new ConcurrencyConflict(persistenceId.toString(), sequenceNr, stored,
                "snapshot rejected: sequence " + sequenceNr + " is older than the stored snapshot at " + stored
                    + " (stream: " + persistenceId + ")");
            default -> throw new ConcurrencyConflict(persistenceId.toString(), sequenceNr, stored,
                "snapshot rejected: a different snapshot is already stored at sequence " + stored
                    + " (stream: " + persistenceId + ")");
          };
        })
        .replaceWithVoid();
  }

  @Override
  public Uni<Optional<Snapshot>> load(PersistenceId persistenceId) {
    Tuple args = Tuple.of(persistenceId.tenant(), persistenceId.entityType(), persistenceId.entityId());
    return Reactive.uni(() -> pool.preparedQuery(LOAD).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("snapshot load of " + persistenceId, e))
        .flatMap(rows -> {
          if (rows.size() == 0) {
            return Uni.createFrom().item(Optional.<Snapshot>empty());
          }
          Row row = rows.iterator().next();
          long sequence = row.getLong("sequence_nr");
          byte[] state = row.getBuffer("state").getBytes();
          String subject = row.getString("subject");
          if (subject == null) {
            return Uni.createFrom().item(Optional.of(new Snapshot(sequence, state)));
          }
          return keys.forReading(persistenceId.tenant(), List.of(subject))
              .map(states -> open(persistenceId, sequence, subject, state, states.get(subject)));
        });
  }

  /** A personal snapshot's state; absent once its subject is forgotten, or when it does not decrypt here. */
  private Optional<Snapshot> open(PersistenceId persistenceId, long sequence, String subject, byte[] sealed,
                                  KeyState state) {
    if (state instanceof KeyState.Live live && keys.cipher().isPresent()) {
      try {
        return Optional.of(new Snapshot(sequence, keys.cipher().get().openSnapshot(live.key(), persistenceId,
            sequence, subject, sealed)));
      } catch (SubjectCipher.KeyUnavailable e) {
        LOG.warn("snapshot of {} at sequence {} (subject {}) does not decrypt: {}; loaded as absent", persistenceId,
            sequence, subject, e.getMessage());
        return Optional.empty();
      }
    }
    if (!(state instanceof KeyState.Forgotten)) {
      LOG.warn("snapshot of {} at sequence {} (subject {}) cannot be read: {}; loaded as absent", persistenceId,
          sequence, subject, state instanceof KeyState.Unavailable why ? why.why() : "no data key");
    }
    return Optional.empty();
  }
}
