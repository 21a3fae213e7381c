package dev.temperstore.feed;

import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * A lifecycle notice, as a feed whose filter asks for them ({@link FeedFilter#withNotices()}) holds it: a
 * {@link FeedEvent} of one of the store's own event types (a {@code $} name, which no append may use), at the
 * position of the transaction that truncated, deleted or tombstoned a stream, or finished purging a tenant
 * (docs/protocol.md, "Lifecycle notices"). Every event of the stream that a reader could have seen before it comes
 * before it; a projection drops its rows of the stream (below {@link #servedFrom()} for a truncate) when it comes.
 *
 * @param type       one of the four types below
 * @param stream     the stream it concerns; for a purge, {@code tenant:$tenant:tenant}
 * @param head       the stream's highest sequence when it happened (0 for a purge)
 * @param servedFrom the lowest sequence served from then on: every lower one is gone (0 for a purge)
 */
public record LifecycleNotice(String type, PersistenceId stream, long head, long servedFrom) {

  /** Events below {@link #servedFrom()} are gone; later ones stay. */
  public static final String TRUNCATED = "$stream-truncated";
  /** Every event of the stream is gone; an append may re-create it, numbering after {@link #head()}. */
  public static final String DELETED = "$stream-deleted";
  /** Every event of the stream is gone, and no append will ever be taken. */
  public static final String TOMBSTONED = "$stream-tombstoned";
  /** Every row of the tenant is gone: the tenant's streams, snapshots, secrets and subscriptions. */
  public static final String TENANT_PURGED = "$tenant-purged";
  /** The entity type a purge's notice names. */
  public static final String TENANT_ENTITY_TYPE = "$tenant";

  /** The notice {@code event} is, or empty when it is an event. */
  public static Optional<LifecycleNotice> of(FeedEvent event) {
    String type = event.event().eventType();
    if (!isNoticeType(type)) {
      return Optional.empty();
    }
    JsonObject payload = event.event().payload() instanceof JsonObject json ? json : new JsonObject();
    return Optional.of(new LifecycleNotice(type, event.persistenceId(), payload.getLong("head", 0L),
        payload.getLong("servedFrom", 0L)));
  }

  /** Whether {@code eventType} is one of a notice's. */
  public static boolean isNoticeType(String eventType) {
    return TRUNCATED.equals(eventType) || DELETED.equals(eventType) || TOMBSTONED.equals(eventType)
        || TENANT_PURGED.equals(eventType);
  }

  /** Whether it concerns the whole tenant rather than one stream. */
  public boolean tenantPurged() {
    return TENANT_PURGED.equals(type);
  }
}
