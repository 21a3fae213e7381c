package dev.temperstore.internal.bus;

import dev.temperstore.internal.wire.EventJson;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.subjects.PersonalData;
import dev.temperstore.protocol.BusLimits;

import dev.temperstore.errors.NotFound;
import dev.temperstore.snapshots.SnapshotStore;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.Optional;

/** The snapshot store's operations on the bus; state travels as standard base64. */
public final class SnapshotHandlers {

  private final SnapshotStore store;
  private final BusLimits limits;

  public SnapshotHandlers(SnapshotStore store, BusLimits limits) {
    this.store = store;
    this.limits = limits;
  }

  public void register(Endpoints endpoints) {
    endpoints
        .serve(Addresses.SNAPSHOTS_SAVE, this::save)
        .serve(Addresses.SNAPSHOTS_LOAD, this::load);
  }

  private Uni<JsonObject> save(Fields request) {
    PersistenceId id = EventJson.persistenceId(request);
    long sequence = request.nonNegativeLong("sequenceNr");
    byte[] state = request.base64("state", limits.maxSnapshotBytes());
    Optional<String> subject = request.optionalString("subject", PersonalData.MAX_SUBJECT_LENGTH);
    return (subject.isPresent() ? store.save(id, sequence, state, subject.get()) : store.save(id, sequence, state))
        .map(ignored -> new JsonObject().put("sequenceNr", sequence));
  }

  private Uni<JsonObject> load(Fields request) {
    PersistenceId id = EventJson.persistenceId(request);
    return store.load(id).map(found -> found
        .map(snapshot -> new JsonObject().put("sequenceNr", snapshot.sequenceNr())
            .put("state", Base64.getEncoder().encodeToString(snapshot.state())))
        .orElseThrow(() -> new NotFound("no snapshot of " + id)));
  }
}
