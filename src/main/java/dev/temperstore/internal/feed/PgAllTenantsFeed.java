package dev.temperstore.internal.feed;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.feed.AllTenantsFeed;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.internal.subjects.SubjectKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The feed across every tenant on PostgreSQL: one call of {@code temper_store_read_feed_all_tenants} per page, on
 * a pool of the operator role (never the serving pool: the runtime role is confined to one tenant by design).
 */
public final class PgAllTenantsFeed implements AllTenantsFeed {

  /** A tenant's feed's columns, then the tenant's name (column {@link #TENANT}). */
  private static final String READ = "SELECT " + PgFeed.COLUMNS + ", tenant"
      + " FROM temper_store_read_feed_all_tenants($1, $2, $3, $4, $5)";
  /** The same with the lifecycle's notices merged in, for a filter that asks for them. */
  private static final String READ_NOTICES = "SELECT " + PgFeed.COLUMNS + ", tenant"
      + " FROM temper_store_read_feed_all_tenants_notices($1, $2, $3, $4, $5)";
  private static final int TENANT = 14;
  /**
   * Reads nothing, but fails as a read would when the role may not read every tenant or cannot connect, or lacks
   * SELECT on a table the function reads only once a page holds events (the lifecycle's: a role granted before
   * them would otherwise start, then fail every read that finds an event).
   */
  private static final String CHECK = "SELECT (SELECT count(*) FROM temper_store_read_feed_all_tenants(0, 0, NULL,"
      + " NULL, 0)), (SELECT count(*) FROM (SELECT 1 FROM temper_store_streams LIMIT 0) streams),"
      + " (SELECT count(*) FROM (SELECT 1 FROM temper_store_retention LIMIT 0) policies),"
      + " (SELECT count(*) FROM temper_store_read_feed_all_tenants_notices(0, 0, NULL, NULL, 0)),"
      + " (SELECT count(*) FROM (SELECT 1 FROM temper_store_notices LIMIT 0) notices)";

  private final Pool pool;
  private final int maxLimit;
  private final SubjectKeys keys;

  /** {@code pool} connects as the operator role; pages hold at most {@code maxLimit} events. */
  public PgAllTenantsFeed(Pool pool, int maxLimit) {
    this(pool, maxLimit, SubjectKeys.disabled());
  }

  /** As above, personal fields opened with {@code keys} (which read them as the serving role, tenant by tenant). */
  public PgAllTenantsFeed(Pool pool, int maxLimit, SubjectKeys keys) {
    this.pool = pool;
    this.maxLimit = maxLimit;
    this.keys = keys;
  }

  /** Fails with the database's reason unless the pool's role can read every tenant. */
  public static Uni<Void> check(Pool pool) {
    return Reactive.uni(() -> pool.query(CHECK).execute()).replaceWithVoid();
  }

  @Override
  public Uni<FeedPage> readAllTenants(FeedPosition after, FeedFilter filter, int limit) {
    return Uni.createFrom().deferred(() -> {
      if (limit < 1 || limit > maxLimit) {
        throw new InvalidRequest("limit must be between 1 and " + maxLimit + ", got " + limit);
      }
      Tuple args = Tuple.of(after.tx(), after.id())
          .addArrayOfString(filter.entityTypes().isEmpty() ? null : filter.entityTypes().toArray(String[]::new))
          .addArrayOfString(filter.eventTypes().isEmpty() ? null : filter.eventTypes().toArray(String[]::new))
          .addInteger(limit + 1);
      return Reactive.uni(() -> pool.preparedQuery(filter.notices() ? READ_NOTICES : READ).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("feed read of all tenants", e))
          .flatMap(rows -> PgFeed.page(rows, limit, after, row -> row.getString(TENANT), keys));
    });
  }
}
