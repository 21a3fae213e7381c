package dev.temperstore.internal.subscriptions;

import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.tenancy.Tenants;
import io.vertx.core.json.JsonArray;

import java.util.Optional;

/**
 * What a lifecycle action stopped serving, as its notification on {@link FeedWakeups#LIFECYCLE_CHANNEL} says
 * (lifecycle/notices.sql): the events of one stream below a sequence, or, with no stream, every event of the tenant
 * (a purge). Deliverers drop such events they read ahead before it committed.
 */
public record LifecycleChange(String tenant, PersistenceId stream, long below) {

  /** Whether an event of {@code id} at {@code sequence} is no longer served after this change. */
  public boolean hides(PersistenceId id, long sequence) {
    return stream == null ? id.tenant().equals(tenant) : stream.equals(id) && sequence < below;
  }

  /** From a notification's payload; empty for anything else (another program's, or a malformed one). */
  public static Optional<LifecycleChange> fromPayload(String payload) {
    try {
      JsonArray fields = new JsonArray(payload);
      if (fields.size() == 1 && fields.getValue(0) instanceof String tenant) {
        return Optional.of(new LifecycleChange(Tenants.validate(tenant), null, Long.MAX_VALUE));
      }
      if (fields.size() == 4 && fields.getValue(0) instanceof String tenant && fields.getValue(1) instanceof String type
          && fields.getValue(2) instanceof String id && fields.getValue(3) instanceof Number below) {
        return Optional.of(new LifecycleChange(tenant, new PersistenceId(tenant, type, id), below.longValue()));
      }
      return Optional.empty();
    } catch (RuntimeException e) { // not JSON, a field missing or of another type, or not a valid name
      return Optional.empty();
    }
  }
}
