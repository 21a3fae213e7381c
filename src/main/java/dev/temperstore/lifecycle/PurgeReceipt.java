package dev.temperstore.lifecycle;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a tenant purge did, kept in {@code temper_store_purges} after the tenant's data is gone.
 *
 * @param tenant     the tenant
 * @param purgeId    the purge's id: a purge interrupted (a crash, the request's time) resumes under the same id
 * @param startedAt  when it started
 * @param finishedAt when the check found none of the tenant's rows left; empty while unfinished
 * @param removed    rows removed per table, over every run of this purge
 * @param remaining  the check: rows of the tenant left per table (all 0 once finished); empty before the check ran
 */
public record PurgeReceipt(String tenant, long purgeId, Instant startedAt, Optional<Instant> finishedAt,
                           Map<String, Long> removed, Map<String, Long> remaining) {

  public boolean finished() {
    return finishedAt.isPresent();
  }

  /** Rows removed in all. */
  public long removedRows() {
    return removed.values().stream().mapToLong(Long::longValue).sum();
  }
}
