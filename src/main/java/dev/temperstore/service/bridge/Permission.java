package dev.temperstore.service.bridge;

import java.util.Locale;
import java.util.Optional;

/**
 * What a bridge token allows, named in its {@code permissions} (or {@code scope}) claim. Tenants are granted
 * separately ({@code tenants} claim); a request needs every permission of its operation and each tenant it touches.
 */
public enum Permission {
  /**
   * events.read, events.list-entities, events.read-all, snapshots.load, secrets.list (names only, never values),
   * subscriptions.list; and receiving the tenant's subscription deliveries ({@code register}).
   */
  READ,
  /** events.append, events.append-batch, snapshots.save, secrets.delete, secrets.rotate. */
  WRITE,
  /** Secret values: secrets.get needs it with read, secrets.put with write. */
  SECRETS,
  /** subscriptions.create, .reset and .delete: managing the tenant's durable subscriptions. */
  SUBSCRIBE,
  /** streams.truncate, streams.delete and streams.tombstone: forgetting a stream's events ({@code write} is not enough). */
  DELETE,
  /** retention.set and retention.clear: the tenant's retention policies (retention.list needs read). */
  RETENTION,
  /**
   * A data subject's personal data: subjects.forget, subjects.check, and with read subjects.export (the subject's
   * fields decrypted, across every stream).
   */
  SUBJECTS,
  /**
   * Reads across tenants: events.read-all with {@code "allTenants": true} needs it with read, and a token whose
   * tenants are {@code "*"}.
   */
  OPERATOR;

  /**
   * The claim's spelling: {@code read}, {@code write}, {@code secrets}, {@code subscribe}, {@code delete},
   * {@code retention}, {@code subjects}, {@code operator}.
   */
  public String claim() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The permission a claim value names; empty for values of other services, which are ignored. */
  public static Optional<Permission> fromClaim(String value) {
    for (Permission permission : values()) {
      if (permission.claim().equals(value)) {
        return Optional.of(permission);
      }
    }
    return Optional.empty();
  }
}
