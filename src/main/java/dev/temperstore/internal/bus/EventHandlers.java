package dev.temperstore.internal.bus;

import dev.temperstore.internal.client.DirectOperation;
import dev.temperstore.internal.wire.EventJson;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.protocol.BusLimits;

import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.EntityId;
import dev.temperstore.events.EntityIdPage;
import dev.temperstore.events.EventStore;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * The event store's operations on the bus: decode, call the store, encode the reply; appends and reads also as direct
 * calls, typed, for callers on the instance's own event loop.
 */
public final class EventHandlers {

  /** Page size when a read or listing does not give one. */
  static final int DEFAULT_LIMIT = 100;

  private final EventStore store;
  private final BusLimits limits;

  public EventHandlers(EventStore store, BusLimits limits) {
    this.store = store;
    this.limits = limits;
  }

  public void register(Endpoints endpoints) {
    endpoints
        .serve(Addresses.EVENTS_APPEND, this::append)
        .serve(Addresses.EVENTS_APPEND_BATCH, this::appendBatch)
        .serve(Addresses.EVENTS_READ, this::read)
        .serve(Addresses.EVENTS_LIST_ENTITIES, this::listEntities)
        // the same three for callers on the instance's own event loop, typed (TypedGate: the same rules)
        .serveDirect(DirectOperation.APPEND, append -> TypedGate.append(append, limits),
            append -> store.append(append.persistenceId(), append.expectedSequence(), append.events()))
        .serveDirect(DirectOperation.APPEND_BATCH, appends -> TypedGate.appends(appends, limits), store::appendBatch)
        .serveDirect(DirectOperation.READ, read -> TypedGate.read(read, limits),
            read -> store.read(read.persistenceId(), read.fromSequence(), read.limit()));
  }

  private Uni<JsonObject> append(Fields request) {
    AppendRequest append = EventJson.append(request, limits);
    return store.append(append.persistenceId(), append.expectedSequence(), append.events())
        .map(sequence -> new JsonObject().put("sequenceNr", sequence));
  }

  private Uni<JsonObject> appendBatch(Fields request) {
    List<AppendRequest> appends = request.objects("appends", limits.maxEventsPerAppend()).stream()
        .map(append -> EventJson.append(append, limits))
        .toList();
    return store.appendBatch(appends).map(results -> new JsonObject().put("results", new JsonArray(
        results.stream().map(result -> new JsonObject()
            .put("persistenceId", result.persistenceId().toString())
            .put("sequenceNr", result.sequenceNr())).toList())));
  }

  private Uni<JsonObject> read(Fields request) {
    PersistenceId id = EventJson.persistenceId(request);
    long from = request.optionalNonNegativeLong("fromSequence").orElse(0L);
    int limit = request.intBetween("limit", 1, limits.maxReadLimit(), DEFAULT_LIMIT);
    return store.read(id, from, limit).map(EventJson::page);
  }

  private Uni<JsonObject> listEntities(Fields request) {
    String tenant = request.tenant("tenant");
    Optional<String> type = request.optionalString("entityType", PersistenceId.MAX_LENGTH);
    Optional<EntityId> after = request.optionalObject("after").map(EventJson::entityId);
    int limit = request.intBetween("limit", 1, limits.maxReadLimit(), DEFAULT_LIMIT);
    return store.listEntityIds(tenant, type, after, limit).map(EventHandlers::entities);
  }

  private static JsonObject entities(EntityIdPage page) {
    return new JsonObject()
        .put("entities", new JsonArray(page.ids().stream().map(EventJson::entityId).toList()))
        .put("next", page.next().map(EventJson::entityId).orElse(null));
  }
}
