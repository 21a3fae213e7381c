package dev.temperstore.internal.snapshots;

import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
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

  private static final String SAVE = "SELECT outcome, stored_sequence FROM temper_store_save_snapshot($1, $2, $3, $4, $5)";
  private static final String LOAD = "SELECT sequence_nr, state FROM temper_store_load_snapshot($1, $2, $3)";

  private final Pool pool;
  private final int maxStateBytes;

  public PgSnapshotStore(Pool pool, int maxStateBytes) {
    this.pool = pool;
    this.maxStateBytes = maxStateBytes;
  }

  @Override
  public Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state) {
    return Uni.createFrom().deferred(() -> {
      if (sequenceNr < 0) {
        throw new InvalidRequest("sequenceNr must be 0 or more, got " + sequenceNr);
      }
      if (state.length > maxStateBytes) {
        throw new TooLarge("snapshot of " + persistenceId + " is " + state.length + " bytes, over the limit of "
            + maxStateBytes);
      }
      Tuple args = Tuple.of(persistenceId.tenant(), persistenceId.entityType(), persistenceId.entityId(), sequenceNr,
          Buffer.buffer(state));
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
    });
  }

  @Override
  public Uni<Optional<Snapshot>> load(PersistenceId persistenceId) {
    Tuple args = Tuple.of(persistenceId.tenant(), persistenceId.entityType(), persistenceId.entityId());
    return Reactive.uni(() -> pool.preparedQuery(LOAD).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException("snapshot load of " + persistenceId, e))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Snapshot(row.getLong("sequence_nr"), row.getBuffer("state").getBytes()));
        });
  }
}
