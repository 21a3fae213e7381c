package dev.temperstore.feed;

import dev.temperstore.errors.Forbidden;
import io.smallrye.mutiny.Uni;

/**
 * Every tenant's events in the feed's one global order, for an operator: read as a role that row-level security
 * does not confine, which the runtime role never is (docs/feed.md, "Across all tenants"). Each event's
 * {@link FeedEvent#persistenceId()} names its tenant.
 */
public interface AllTenantsFeed {

  /** What a store without an operator role answers: 403, naming the key that enables it. */
  AllTenantsFeed NOT_CONFIGURED = (after, filter, limit) -> Uni.createFrom().failure(new Forbidden(
      "all-tenant feed reads are not enabled on this store: set temper.database.operator-url"
          + " (TEMPER_DATABASE_OPERATOR_URL) to a role that may read every tenant"));

  /**
   * Up to {@code limit} events of any tenant after {@code after} that {@code filter} admits, in the global order,
   * with the same guarantee as {@link Feed#readAll}: nothing committed later ever appears before a position read.
   */
  Uni<FeedPage> readAllTenants(FeedPosition after, FeedFilter filter, int limit);
}
