package dev.temperstore.lifecycle;

import io.smallrye.mutiny.Uni;

/**
 * Removes every row of a tenant from every table that carries one (docs/protocol.md, "tenants.purge"): online, in
 * bounded batches of short transactions, resumable after a crash and idempotent. For operators only: over the
 * bridge it needs the {@code operator} and {@code delete} permissions, never a tenant's own.
 */
public interface TenantPurge {

  /**
   * Purges {@code tenant} (resuming an interrupted purge of it) until none of its rows is left, and returns the
   * finished receipt. {@code actor} names who asked, for the receipt and the audit.
   */
  Uni<PurgeReceipt> purgeTenant(String tenant, String actor);
}
