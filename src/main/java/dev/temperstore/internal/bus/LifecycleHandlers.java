package dev.temperstore.internal.bus;

import dev.temperstore.internal.lifecycle.PgTenantPurge;
import dev.temperstore.internal.wire.EventJson;
import dev.temperstore.internal.wire.Fields;
import dev.temperstore.internal.wire.LifecycleJson;
import dev.temperstore.lifecycle.StreamLifecycle;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * Stream lifecycle and retention on the bus. The audit's actor is the request's caller (the bridge names the
 * client and its token's subject, whatever the body says), else the body's {@code actor}, else
 * {@link AllTenantsAudit#UNNAMED}.
 */
public final class LifecycleHandlers {

  /** The longest actor a request may name; the audit keeps its first 80 code points. */
  static final int MAX_ACTOR = 1024;

  private final StreamLifecycle lifecycle;
  private final PgTenantPurge purge;
  private final Duration purgeBudget;

  /** {@code purgeBudget}: how long one tenants.purge request works before answering an unfinished receipt. */
  public LifecycleHandlers(StreamLifecycle lifecycle, PgTenantPurge purge, Duration purgeBudget) {
    this.lifecycle = lifecycle;
    this.purge = purge;
    this.purgeBudget = purgeBudget;
  }

  public void register(Endpoints endpoints) {
    endpoints
        .serve(Addresses.STREAMS_TRUNCATE, this::truncate)
        .serve(Addresses.STREAMS_DELETE, this::delete)
        .serve(Addresses.STREAMS_TOMBSTONE, this::tombstone)
        .serve(Addresses.RETENTION_SET, this::setRetention)
        .serve(Addresses.RETENTION_CLEAR, this::clearRetention)
        .serve(Addresses.RETENTION_LIST, this::listRetention)
        .serve(Addresses.TENANTS_PURGE, this::purgeTenant);
  }

  private Uni<JsonObject> truncate(Fields request) {
    PersistenceId stream = EventJson.persistenceId(request);
    long before = request.nonNegativeLong("before");
    return lifecycle.truncate(stream, before, LifecycleJson.expectedHead(request), actor(request))
        .map(LifecycleJson::change);
  }

  private Uni<JsonObject> delete(Fields request) {
    PersistenceId stream = EventJson.persistenceId(request);
    return lifecycle.delete(stream, LifecycleJson.expectedHead(request), actor(request)).map(LifecycleJson::change);
  }

  private Uni<JsonObject> tombstone(Fields request) {
    PersistenceId stream = EventJson.persistenceId(request);
    return lifecycle.tombstone(stream, LifecycleJson.expectedHead(request), actor(request))
        .map(LifecycleJson::change);
  }

  private Uni<JsonObject> setRetention(Fields request) {
    String tenant = request.tenant("tenant");
    return lifecycle.setRetention(tenant, LifecycleJson.policy(request), actor(request))
        .map(ignored -> new JsonObject().put("set", true));
  }

  private Uni<JsonObject> clearRetention(Fields request) {
    String tenant = request.tenant("tenant");
    String type = PersistenceId.checkEntityType(request.string("entityType", PersistenceId.MAX_LENGTH));
    return lifecycle.clearRetention(tenant, type, actor(request)).map(cleared -> new JsonObject().put("cleared", cleared));
  }

  private Uni<JsonObject> listRetention(Fields request) {
    return lifecycle.retention(request.tenant("tenant")).map(LifecycleJson::policies);
  }

  private Uni<JsonObject> purgeTenant(Fields request) {
    String tenant = request.tenant("tenant");
    return purge.purge(tenant, actor(request), purgeBudget, step -> { }).map(LifecycleJson::receipt);
  }

  static String actor(Fields request) {
    return request.caller().or(() -> request.optionalString("actor", MAX_ACTOR)).orElse(AllTenantsAudit.UNNAMED);
  }
}
