package dev.temperstore.client;

import dev.temperstore.internal.client.DeliveryConsumer;
import dev.temperstore.internal.client.DirectCall;
import dev.temperstore.internal.client.DirectOperation;
import dev.temperstore.internal.client.DirectOperation.StreamRead;
import dev.temperstore.internal.client.SameLoopRouting;
import dev.temperstore.internal.client.GroupMembership;
import dev.temperstore.internal.wire.EventJson;
import dev.temperstore.internal.wire.FeedJson;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.internal.wire.LifecycleJson;
import dev.temperstore.lifecycle.PurgeReceipt;
import dev.temperstore.lifecycle.RetentionPolicy;
import dev.temperstore.lifecycle.StreamChange;
import dev.temperstore.lifecycle.StreamLifecycle;
import dev.temperstore.lifecycle.TenantPurge;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.internal.wire.SubjectJson;
import dev.temperstore.subjects.ForgetReceipt;
import dev.temperstore.subjects.SubjectCheck;
import dev.temperstore.subjects.SubjectCursor;
import dev.temperstore.subjects.SubjectExport;
import dev.temperstore.subjects.SubjectStore;

import dev.temperstore.StoreSettings;
import dev.temperstore.errors.NotFound;
import dev.temperstore.events.AppendRequest;
import dev.temperstore.events.AppendResult;
import dev.temperstore.events.EntityId;
import dev.temperstore.events.EntityIdPage;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.NewEvent;
import dev.temperstore.feed.AllTenantsFeed;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.FeedDelivery;
import dev.temperstore.feed.subscriptions.MemberLease;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionMember;
import dev.temperstore.feed.subscriptions.SubscriptionStatus;
import dev.temperstore.feed.subscriptions.Subscriptions;
import dev.temperstore.errors.StoreException;
import dev.temperstore.secrets.RotationProgress;
import dev.temperstore.secrets.SecretStore;
import dev.temperstore.snapshots.Snapshot;
import dev.temperstore.snapshots.SnapshotStore;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The store as seen from a user's verticle: the {@link EventStore}, {@link SnapshotStore} and {@link SecretStore}
 * APIs, spoken over
 * the event bus with plain JSON messages, so it works the same on a local or a clustered bus. Failures arrive as
 * the same {@link dev.temperstore.errors.StoreException}s the store raised; no reply in time, or no store
 * registered yet, is {@code Unavailable}.
 *
 * <p>The store answers every request within its deadline ({@code temper.requests.deadline}), with a 503
 * {@code deadline exceeded} at worst. A client's timeout must sit above it ({@link #timeoutAbove}): then no reply
 * in time means the store is down or unreachable, never merely slow.
 */
public final class StoreClient implements EventStore, Feed, AllTenantsFeed, SnapshotStore, SecretStore,
    Subscriptions, StreamLifecycle, TenantPurge, SubjectStore {

  /** What a client waits beyond the store's deadline: the reply's trip back, and timers that fire a little late. */
  public static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);
  /** Above the store's default deadline (20 s). */
  public static final Duration DEFAULT_TIMEOUT = timeoutAbove(StoreSettings.DEFAULT_REQUEST_DEADLINE);

  private final Transport transport;
  private final Addresses addresses;
  /** For {@link #subscribe}: the bus consumers register on; null over another transport. */
  private final Vertx vertx;

  /** The timeout for a client of a store whose {@code temper.requests.deadline} is {@code deadline}. */
  public static Duration timeoutAbove(Duration deadline) {
    return deadline.plus(DEADLINE_MARGIN);
  }

  /** Over this JVM's event bus (local or clustered); {@code timeout} should be {@link #timeoutAbove} the deadline. */
  public StoreClient(Vertx vertx, Addresses addresses, Duration timeout) {
    this(new EventBusTransport(vertx, timeout), addresses, vertx);
  }

  /** Over any transport, e.g. the TCP bridge from another process ({@code dev.temperstore.client.BridgeClient}). */
  public StoreClient(Transport transport, Addresses addresses) {
    this(transport, addresses, null);
  }

  private StoreClient(Transport transport, Addresses addresses, Vertx vertx) {
    this.transport = transport;
    this.addresses = addresses;
    this.vertx = vertx;
  }

  /** A client of the store at the default prefix, with the default timeout. */
  public static StoreClient create(Vertx vertx) {
    return new StoreClient(vertx, Addresses.defaults(), DEFAULT_TIMEOUT);
  }

  @Override
  public Uni<Long> append(PersistenceId persistenceId, long expectedSequence, List<NewEvent> events) {
    AppendRequest append = new AppendRequest(persistenceId, expectedSequence, events);
    DirectCall<AppendRequest, Long> direct = direct(DirectOperation.APPEND);
    if (direct != null) {
      return direct.call(append);
    }
    JsonObject request = EventJson.append(append);
    return request(Addresses.EVENTS_APPEND, request).map(reply -> reply.getLong("sequenceNr"));
  }

  @Override
  public Uni<List<AppendResult>> appendBatch(List<AppendRequest> appends) {
    DirectCall<List<AppendRequest>, List<AppendResult>> direct = direct(DirectOperation.APPEND_BATCH);
    if (direct != null) {
      return direct.call(List.copyOf(appends));
    }
    JsonObject request = new JsonObject()
        .put("appends", new JsonArray(appends.stream().map(EventJson::append).toList()));
    return request(Addresses.EVENTS_APPEND_BATCH, request).map(reply -> reply.getJsonArray("results").stream()
        .map(JsonObject.class::cast)
        .map(result -> new AppendResult(PersistenceId.parse(result.getString("persistenceId")),
            result.getLong("sequenceNr")))
        .toList());
  }

  @Override
  public Uni<EventPage> read(PersistenceId persistenceId, long fromSequence, int limit) {
    DirectCall<StreamRead, EventPage> direct = direct(DirectOperation.READ);
    if (direct != null) {
      return direct.call(new StreamRead(persistenceId, fromSequence, limit));
    }
    JsonObject request = new JsonObject().put("persistenceId", persistenceId.toString())
        .put("fromSequence", fromSequence).put("limit", limit);
    return request(Addresses.EVENTS_READ, request).map(EventJson::pageReply);
  }

  @Override
  public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit) {
    JsonObject request = FeedJson.filter(filter, new JsonObject().put("tenant", tenant).put("after", after.toString())
        .put("limit", limit));
    return request(Addresses.EVENTS_READ_ALL, request).map(FeedJson::pageReply);
  }

  /**
   * Every tenant's events in the feed's order ({@code "allTenants": true}): served only by a store with an operator
   * role ({@code temper.database.operator-url}), 403 otherwise; through the bridge, only for an operator's token.
   */
  @Override
  public Uni<FeedPage> readAllTenants(FeedPosition after, FeedFilter filter, int limit) {
    JsonObject request = FeedJson.filter(filter, new JsonObject().put("allTenants", true)
        .put("after", after.toString()).put("limit", limit));
    return request(Addresses.EVENTS_READ_ALL, request).map(FeedJson::pageReply);
  }

  @Override
  public Uni<EntityIdPage> listEntityIds(String tenant, Optional<String> entityType, Optional<EntityId> after,
                                         int limit) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("limit", limit);
    entityType.ifPresent(type -> request.put("entityType", type));
    after.ifPresent(cursor -> request.put("after", EventJson.entityId(cursor)));
    return request(Addresses.EVENTS_LIST_ENTITIES, request).map(reply -> {
      Fields fields = Fields.body(reply);
      return new EntityIdPage(fields.objects("entities", Integer.MAX_VALUE).stream().map(EventJson::entityId).toList(),
          fields.optionalObject("next").map(EventJson::entityId));
    });
  }

  @Override
  public Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state) {
    JsonObject request = new JsonObject().put("persistenceId", persistenceId.toString())
        .put("sequenceNr", sequenceNr).put("state", Base64.getEncoder().encodeToString(state));
    return request(Addresses.SNAPSHOTS_SAVE, request).replaceWithVoid();
  }

  @Override
  public Uni<Void> save(PersistenceId persistenceId, long sequenceNr, byte[] state, String subject) {
    JsonObject request = new JsonObject().put("persistenceId", persistenceId.toString()).put("sequenceNr", sequenceNr)
        .put("state", Base64.getEncoder().encodeToString(state)).put("subject", subject);
    return request(Addresses.SNAPSHOTS_SAVE, request).replaceWithVoid();
  }

  @Override
  public Uni<Optional<Snapshot>> load(PersistenceId persistenceId) {
    JsonObject request = new JsonObject().put("persistenceId", persistenceId.toString());
    return request(Addresses.SNAPSHOTS_LOAD, request)
        .map(reply -> Optional.of(new Snapshot(reply.getLong("sequenceNr"),
            Base64.getDecoder().decode(reply.getString("state")))))
        .onFailure(NotFound.class).recoverWithItem(Optional.empty());
  }

  @Override
  public Uni<Boolean> put(String tenant, String keyName, String value) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("keyName", keyName).put("value", value);
    return request(Addresses.SECRETS_PUT, request).map(reply -> reply.getBoolean("created"));
  }

  @Override
  public Uni<Optional<String>> get(String tenant, String keyName) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("keyName", keyName);
    return request(Addresses.SECRETS_GET, request).map(reply -> Optional.of(reply.getString("value")))
        .onFailure(NotFound.class).recoverWithItem(Optional.empty());
  }

  @Override
  public Uni<Boolean> delete(String tenant, String keyName) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("keyName", keyName);
    return request(Addresses.SECRETS_DELETE, request).map(reply -> reply.getBoolean("deleted"));
  }

  @Override
  public Uni<List<String>> listKeyNames(String tenant) {
    return request(Addresses.SECRETS_LIST, new JsonObject().put("tenant", tenant))
        .map(reply -> reply.getJsonArray("keys").stream().map(String.class::cast).toList());
  }

  @Override
  public Uni<RotationProgress> rotate(String tenant, int maxRows) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("maxRows", maxRows);
    return request(Addresses.SECRETS_ROTATE, request).map(reply -> new RotationProgress(reply.getLong("rotated"),
        reply.getLong("failed"), reply.getLong("remaining")));
  }

  @Override
  public Uni<Boolean> createSubscription(Subscription subscription) {
    JsonObject request = FeedJson.filter(subscription.filter(), new JsonObject().put("tenant", subscription.tenant())
        .put("name", subscription.name()).put("address", subscription.address())
        .put("from", subscription.from().toString()));
    return request(Addresses.SUBSCRIPTIONS_CREATE, request).map(reply -> reply.getBoolean("created"));
  }

  @Override
  public Uni<List<SubscriptionStatus>> listSubscriptions(String tenant) {
    return request(Addresses.SUBSCRIPTIONS_LIST, new JsonObject().put("tenant", tenant))
        .map(reply -> Fields.body(reply).objects("subscriptions", Integer.MAX_VALUE).stream()
            .map(StoreClient::status).toList());
  }

  @Override
  public Uni<Void> resetSubscription(String tenant, String name, FeedPosition position) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("name", name).put("position", position.toString());
    return request(Addresses.SUBSCRIPTIONS_RESET, request).replaceWithVoid();
  }

  @Override
  public Uni<Boolean> deleteSubscription(String tenant, String name) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("name", name);
    return request(Addresses.SUBSCRIPTIONS_DELETE, request).map(reply -> reply.getBoolean("deleted"));
  }

  @Override
  public Uni<MemberLease> joinSubscription(String tenant, String name, String member, String address) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("name", name).put("member", member)
        .put("address", address);
    return request(Addresses.SUBSCRIPTIONS_JOIN, request).map(reply -> {
      Fields fields = Fields.body(reply);
      return new MemberLease(reply.getBoolean("joined"), fields.optionalInstant("expiresAt").orElseThrow(),
          Duration.ofMillis(fields.nonNegativeLong("leaseMillis")));
    });
  }

  @Override
  public Uni<Boolean> leaveSubscription(String tenant, String name, String member) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("name", name).put("member", member);
    return request(Addresses.SUBSCRIPTIONS_LEAVE, request).map(reply -> reply.getBoolean("left"));
  }

  /**
   * Consumes the deliveries sent to {@code address} (a subscription's address) on this JVM's event bus, one item
   * per event: each must be {@link FeedDelivery#ack() acknowledged} for its stream to go on. The store sends
   * batches of events; a stream's next event of a batch is emitted once its previous one is acknowledged, the
   * batch is acknowledged to the store once all its events are, and a {@link FeedDelivery#nack nack} has the store
   * send the batch again, from its first event, after its retry delay (so events of it already acknowledged may
   * come again). Items are emitted on the event loop the batch arrived on. Cancelling refuses the batches not yet
   * acknowledged and unregisters the consumer; their events come again, to whichever consumer is registered (or
   * member owns their streams), after the store's retry delay. A delivery that does not decode is refused (400)
   * and logged by the store, and is not emitted. Only over an event-bus client
   * ({@link #StoreClient(Vertx, Addresses, Duration)}).
   */
  public Multi<FeedDelivery> subscribe(String address) {
    if (vertx == null) {
      return needsEventBus();
    }
    return Multi.createFrom().emitter(emitter -> {
      DeliveryConsumer consumer = DeliveryConsumer.start(vertx, address, emitter);
      emitter.onTermination(consumer::close);
    });
  }

  /**
   * Consumes, as {@link #subscribe(String)} does, the deliveries of a consumer group member: registers at
   * {@code address}, then joins {@code member} to the tenant's subscription {@code name} and renews its lease
   * every third of it while subscribed. The store delivers this member its share of the subscription's streams,
   * each stream to one member at a time. Cancelling refuses the batches not yet acknowledged, leaves (the member's
   * streams go to the others), then unregisters. The Multi fails when the join is refused (404, 409, 429, 400) or a
   * renewal is refused for good (the subscription was deleted, say); a renewal the store cannot answer now is
   * tried again at the next one. Only over an event-bus client.
   */
  public Multi<FeedDelivery> subscribe(String tenant, String name, String member, String address) {
    if (vertx == null) {
      return needsEventBus();
    }
    return Multi.createFrom().emitter(emitter -> {
      DeliveryConsumer consumer = DeliveryConsumer.start(vertx, address, emitter);
      GroupMembership membership = new GroupMembership(vertx, this, tenant, name, member, address, emitter::fail);
      consumer.registered().onComplete(registered -> {
        if (registered.succeeded()) {
          membership.join();
        } else {
          emitter.fail(registered.cause());
        }
      });
      emitter.onTermination(() -> {
        consumer.refuseAll();
        membership.leave().subscribe().with(left -> consumer.close());
      });
    });
  }

  private static Multi<FeedDelivery> needsEventBus() {
    return Multi.createFrom().failure(new IllegalStateException(
        "subscribe needs this JVM's event bus: create the client with StoreClient(Vertx, Addresses, Duration)"));
  }

  private static SubscriptionStatus status(Fields fields) {
    return new SubscriptionStatus(fields.string("name", 128), fields.string("address", Subscription.MAX_ADDRESS_LENGTH),
        FeedJson.filter(fields), FeedPosition.parse(fields.where("checkpoint"), fields.string("checkpoint", 64)),
        fields.optionalInstant("checkpointedAt").orElse(java.time.Instant.EPOCH),
        fields.nonNegativeLong("lagEvents"), ((Number) fields.jsonValue("lagSeconds")).doubleValue(),
        fields.objects("members", Integer.MAX_VALUE).stream().map(StoreClient::member).toList());
  }

  private static SubscriptionMember member(Fields fields) {
    return new SubscriptionMember(fields.string("member", 128),
        fields.string("address", Subscription.MAX_ADDRESS_LENGTH), fields.optionalInstant("expiresAt").orElseThrow());
  }

  /** {@inheritDoc} Over the bridge, the audit names the bridge client and its token's subject instead of {@code actor}. */
  @Override
  public Uni<StreamChange> truncate(PersistenceId stream, long before, OptionalLong expectedHead, String actor) {
    return request(Addresses.STREAMS_TRUNCATE, LifecycleJson.streamRequest(stream, expectedHead)
        .put("before", before).put("actor", actor)).map(LifecycleJson::change);
  }

  @Override
  public Uni<StreamChange> delete(PersistenceId stream, OptionalLong expectedHead, String actor) {
    return request(Addresses.STREAMS_DELETE, LifecycleJson.streamRequest(stream, expectedHead).put("actor", actor))
        .map(LifecycleJson::change);
  }

  @Override
  public Uni<StreamChange> tombstone(PersistenceId stream, OptionalLong expectedHead, String actor) {
    return request(Addresses.STREAMS_TOMBSTONE, LifecycleJson.streamRequest(stream, expectedHead)
        .put("actor", actor)).map(LifecycleJson::change);
  }

  @Override
  public Uni<Void> setRetention(String tenant, RetentionPolicy policy, String actor) {
    return request(Addresses.RETENTION_SET, LifecycleJson.policy(policy).put("tenant", tenant).put("actor", actor))
        .replaceWithVoid();
  }

  @Override
  public Uni<Boolean> clearRetention(String tenant, String entityType, String actor) {
    return request(Addresses.RETENTION_CLEAR, new JsonObject().put("tenant", tenant).put("entityType", entityType)
        .put("actor", actor)).map(reply -> reply.getBoolean("cleared"));
  }

  @Override
  public Uni<List<RetentionPolicy>> retention(String tenant) {
    return request(Addresses.RETENTION_LIST, new JsonObject().put("tenant", tenant)).map(LifecycleJson::policies);
  }

  /**
   * {@inheritDoc} Each tenants.purge request works for at most half the store's deadline and answers with an
   * unfinished receipt when there is more; this sends it again until the receipt is finished.
   */
  @Override
  public Uni<PurgeReceipt> purgeTenant(String tenant, String actor) {
    return request(Addresses.TENANTS_PURGE, new JsonObject().put("tenant", tenant).put("actor", actor))
        .map(LifecycleJson::receipt)
        .flatMap(receipt -> receipt.finished() ? Uni.createFrom().item(receipt) : purgeTenant(tenant, actor));
  }

  @Override
  public Uni<ForgetReceipt> forget(String tenant, String subject, String actor) {
    return request(Addresses.SUBJECTS_FORGET, new JsonObject().put("tenant", tenant).put("subject", subject)
        .put("actor", actor)).map(SubjectJson::receiptReply);
  }

  @Override
  public Uni<SubjectExport> export(String tenant, String subject, Optional<SubjectCursor> after, int limit) {
    return request(Addresses.SUBJECTS_EXPORT, subjectPage(tenant, subject, after, limit))
        .map(SubjectJson::exportReply);
  }

  @Override
  public Uni<SubjectCheck> check(String tenant, String subject, Optional<SubjectCursor> after, int limit) {
    return request(Addresses.SUBJECTS_CHECK, subjectPage(tenant, subject, after, limit))
        .map(SubjectJson::checkReply);
  }

  private static JsonObject subjectPage(String tenant, String subject, Optional<SubjectCursor> after, int limit) {
    JsonObject request = new JsonObject().put("tenant", tenant).put("subject", subject).put("limit", limit);
    after.ifPresent(cursor -> request.put("after", SubjectJson.cursor(cursor)));
    return request;
  }

  /**
   * The direct call of {@code operation} that the store instance on the calling thread's event loop serves, if there
   * is one (SameLoopRouting): the same operation, typed, without the bus. Null over another transport.
   */
  private <Q, R> DirectCall<Q, R> direct(DirectOperation<Q, R> operation) {
    return vertx == null ? null : SameLoopRouting.direct(vertx, addresses.of(operation.operation()), operation);
  }

  /** Sends one request; failures arrive as the store's own errors. */
  Uni<JsonObject> request(String operation, JsonObject body) {
    return transport.request(addresses.of(operation), body);
  }
}
