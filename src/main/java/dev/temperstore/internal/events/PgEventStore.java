package dev.temperstore.internal.events;

import dev.temperstore.events.EventLimits;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.TooLarge;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.AppendResult;
import dev.temperstore.events.EntityId;
import dev.temperstore.events.EntityIdPage;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.NewEvent;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.internal.subjects.Opening;
import dev.temperstore.internal.subjects.Sealer;
import dev.temperstore.internal.subjects.SubjectKeys;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** The event store on PostgreSQL: one statement per operation, appends coalesced by {@link AppendBatcher}. */
public final class PgEventStore implements EventStore {

  /** Columns read by position (see {@link #toEvent}); the payload as text, parsed only when asked for. */
  private static final String READ = "SELECT sequence_nr, event_type, payload::text, " + MetadataColumns.SELECT
      + " FROM temper_store_read_events($1, $2, $3, $4, $5)";
  private static final String LIST = "SELECT entity_type, entity_id FROM temper_store_list_entities($1, $2, $3, $4, $5)";

  private final Pool pool;
  private final AppendBatcher batcher;
  private final EventLimits limits;
  private final SubjectKeys keys;

  /** {@code context} is the event loop the batcher lives on: the owning verticle's. */
  public PgEventStore(Pool pool, Context context, EventLimits limits) {
    this(pool, context, limits, tenants -> { });
  }

  /**
   * {@code committed} is told the tenants appended to, on {@code context}, after each append statement that wrote
   * events has committed.
   */
  public PgEventStore(Pool pool, Context context, EventLimits limits, Consumer<Set<String>> committed) {
    this(pool, context, limits, committed, AppendMetrics.none());
  }

  /** As above, with the batcher's queue waits and statements recorded in {@code metrics}. */
  public PgEventStore(Pool pool, Context context, EventLimits limits, Consumer<Set<String>> committed,
                      AppendMetrics metrics) {
    this(pool, context, limits, committed, metrics, SubjectKeys.disabled());
  }

  /** As above, personal fields sealed and opened with {@code keys}. */
  public PgEventStore(Pool pool, Context context, EventLimits limits, Consumer<Set<String>> committed,
                      AppendMetrics metrics, SubjectKeys keys) {
    this.pool = pool;
    this.limits = limits;
    this.keys = keys;
    this.batcher = new AppendBatcher(pool, context, limits.concurrentBatches(), limits.maxAppendsPerBatch(),
        limits.maxQueuedAppends(), limits.deadline(), committed, metrics);
  }

  @Override
  public Uni<Long> append(PersistenceId persistenceId, long expectedSequence, List<NewEvent> events) {
    return Uni.createFrom().deferred(() -> {
      AppendRequest request = new AppendRequest(persistenceId, expectedSequence, events);
      check(request);
      if (events.isEmpty()) {
        return Uni.createFrom().item(expectedSequence);
      }
      Set<String> subjects = subjectsOf(request);
      if (!subjects.isEmpty()) {
        return batcher.submit(List.of(persistenceId), keys.forWriting(persistenceId.tenant(),
                "append to " + persistenceId, subjects)
            .map(live -> List.of(EncodedAppend.of(request, limits.maxEventBytes(),
                new Sealer(keys.cipher().orElseThrow(), live)))), false)
            .map(sequences -> sequences[0]);
      }
      EncodedAppend encoded = EncodedAppend.of(request, limits.maxEventBytes());
      return batcher.submit(List.of(encoded), false).map(sequences -> sequences[0]);
    });
  }

  @Override
  public Uni<List<AppendResult>> appendBatch(List<AppendRequest> appends) {
    return Uni.createFrom().deferred(() -> {
      checkBatch(appends);
      List<AppendRequest> writing = appends.stream().filter(a -> !a.events().isEmpty()).toList();
      if (writing.isEmpty()) {
        return Uni.createFrom().item(results(appends, List.of(), new long[0]));
      }
      List<AppendRequest> sorted = new ArrayList<>(writing);
      sorted.sort(Comparator.comparing(AppendRequest::persistenceId, PersistenceId.ORDER)); // as single appends
      Set<String> subjects = new HashSet<>();
      sorted.forEach(append -> subjects.addAll(subjectsOf(append)));
      if (!subjects.isEmpty()) {
        String tenant = sorted.get(0).persistenceId().tenant();
        return batcher.submit(sorted.stream().map(AppendRequest::persistenceId).toList(),
                keys.forWriting(tenant, "appendBatch of tenant " + tenant, subjects).map(live -> {
                  Sealer sealer = new Sealer(keys.cipher().orElseThrow(), live);
                  return sorted.stream().map(a -> EncodedAppend.of(a, limits.maxEventBytes(), sealer)).toList();
                }), true)
            .map(sequences -> results(appends, sorted, sequences));
      }
      List<EncodedAppend> encoded = sorted.stream().map(a -> EncodedAppend.of(a, limits.maxEventBytes())).toList();
      return batcher.submit(encoded, true).map(sequences -> results(appends, sorted, sequences));
    });
  }

  @Override
  public Uni<EventPage> read(PersistenceId persistenceId, long fromSequence, int limit) {
    return Uni.createFrom().deferred(() -> {
      if (fromSequence < 0) {
        throw new InvalidRequest("fromSequence must be 0 or more, got " + fromSequence);
      }
      checkLimit(limit, limits.maxReadLimit());
      Tuple args = Tuple.of(persistenceId.tenant(), persistenceId.entityType(), persistenceId.entityId(),
          fromSequence, limit + 1);
      return Reactive.uni(() -> pool.preparedQuery(READ).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("read of " + persistenceId, e))
          .flatMap(rows -> {
            List<StoredEvent> events = new ArrayList<>(Math.min(limit, rows.size()));
            Opening sealed = null;
            for (Row row : rows) {
              if (events.size() == limit) {
                break;
              }
              StoredEvent event = toEvent(persistenceId, row);
              String personal = MetadataColumns.sealed(row, 3);
              if (personal != null) {
                sealed = sealed == null ? new Opening() : sealed;
                sealed.add(events.size(), persistenceId, event.sequenceNr(), event.eventType(), row.getString(2),
                    event.metadata(), MetadataColumns.marking(row, 3), personal);
              }
              events.add(event);
            }
            long nextFrom = events.isEmpty() ? fromSequence : events.get(events.size() - 1).sequenceNr();
            boolean more = rows.size() > limit;
            return sealed == null ? Uni.createFrom().item(new EventPage(events, nextFrom, more))
                : sealed.open(keys, events, (event, opened) -> opened)
                    .map(opened -> new EventPage(opened, nextFrom, more));
          });
    });
  }

  @Override
  public Uni<EntityIdPage> listEntityIds(String tenant, Optional<String> entityType, Optional<EntityId> after,
                                         int limit) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      checkLimit(limit, limits.maxReadLimit());
      Tuple args = Tuple.of(tenant, entityType.orElse(null), after.map(EntityId::entityType).orElse(null),
          after.map(EntityId::entityId).orElse(null), limit + 1);
      return Reactive.uni(() -> pool.preparedQuery(LIST).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("entity listing of tenant " + tenant, e))
          .map(rows -> {
            List<EntityId> ids = new ArrayList<>();
            for (Row row : rows) {
              ids.add(new EntityId(row.getString("entity_type"), row.getString("entity_id")));
            }
            boolean more = ids.size() > limit;
            List<EntityId> page = more ? ids.subList(0, limit) : ids;
            return new EntityIdPage(page, more ? Optional.of(page.get(page.size() - 1)) : Optional.empty());
          });
    });
  }

  private void check(AppendRequest request) {
    if (request.expectedSequence() < 0) {
      throw new InvalidRequest("expectedSequence must be 0 or more, got " + request.expectedSequence());
    }
    if (request.expectedSequence() > HIGHEST_SEQUENCE - request.events().size()) {
      throw new InvalidRequest("expectedSequence " + request.expectedSequence() + " leaves no room for "
          + request.events().size() + " more events below the highest sequence number, " + HIGHEST_SEQUENCE);
    }
    for (NewEvent event : request.events()) {
      if (event.eventType().startsWith(NewEvent.RESERVED_PREFIX)) {
        throw new InvalidRequest("append to " + request.persistenceId() + ": event type starts with '"
            + NewEvent.RESERVED_PREFIX + "', which the store reserves for its own rows");
      }
      event.personal().ifPresent(personal -> personal.valuesIn(event.payload()));
    }
    if (request.events().size() > limits.maxEventsPerAppend()) {
      throw new TooLarge("append of " + request.events().size() + " events to " + request.persistenceId()
          + " is over the limit of " + limits.maxEventsPerAppend());
    }
  }

  private void checkBatch(List<AppendRequest> appends) {
    if (appends.isEmpty()) {
      return;
    }
    if (appends.size() > limits.maxEventsPerAppend()) {
      throw new TooLarge("appendBatch of " + appends.size() + " streams is over the limit of "
          + limits.maxEventsPerAppend());
    }
    Set<PersistenceId> streams = new HashSet<>();
    String tenant = appends.get(0).persistenceId().tenant();
    int events = 0;
    for (AppendRequest append : appends) {
      check(append);
      events += append.events().size();
      if (!streams.add(append.persistenceId())) {
        throw new InvalidRequest("appendBatch names stream " + append.persistenceId() + " twice");
      }
      if (!append.persistenceId().tenant().equals(tenant)) {
        throw new InvalidRequest("appendBatch spans tenants " + tenant + " and " + append.persistenceId().tenant()
            + ": one request, one tenant");
      }
    }
    if (events > limits.maxEventsPerAppend()) {
      throw new TooLarge("appendBatch of " + events + " events is over the limit of " + limits.maxEventsPerAppend());
    }
  }

  /** The subjects whose personal fields {@code append} marks; mostly none. */
  private static Set<String> subjectsOf(AppendRequest append) {
    Set<String> subjects = Set.of();
    for (NewEvent event : append.events()) {
      if (event.personal().isPresent()) {
        subjects = subjects.isEmpty() ? new HashSet<>() : subjects;
        subjects.add(event.personal().get().subject());
      }
    }
    return subjects;
  }

  private static void checkLimit(int limit, int max) {
    if (limit < 1 || limit > max) {
      throw new InvalidRequest("limit must be between 1 and " + max + ", got " + limit);
    }
  }

  private static List<AppendResult> results(List<AppendRequest> requested, List<AppendRequest> written,
                                            long[] sequences) {
    List<AppendResult> results = new ArrayList<>(requested.size());
    for (AppendRequest append : requested) {
      int index = written.indexOf(append);
      long sequence = index < 0 ? append.expectedSequence() : sequences[index];
      results.add(new AppendResult(append.persistenceId(), sequence));
    }
    return results;
  }

  private static StoredEvent toEvent(PersistenceId persistenceId, Row row) {
    long sequence = row.getLong(0);
    return StoredEvent.withPayloadJson(sequence, row.getString(1), row.getString(2),
        MetadataColumns.read(row, 3, persistenceId, sequence));
  }

}
