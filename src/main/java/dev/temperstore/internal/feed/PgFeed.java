package dev.temperstore.internal.feed;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.internal.events.MetadataColumns;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.internal.subjects.Opening;
import dev.temperstore.internal.subjects.SubjectKeys;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The feed on PostgreSQL, each page in one of two forms with the same rows (read-feed.sql explains the order):
 * <ul>
 *   <li>a call of {@code temper_store_read_feed}: one statement, the cheapest for a page of a few events, as a
 *   reader at the feed's end reads; but PL/pgSQL builds the whole page before PostgreSQL sends its first row;</li>
 *   <li>for a page that is likely to be long (a reader behind the end, asking for {@link #STREAMED_FROM} events or
 *   more), the function's query itself, in a transaction that first sets what the function sets: the rows stream
 *   out while they are read, so the database and the decoding here overlap. Its four statements (BEGIN, the
 *   settings, the page, COMMIT) go out together, pipelined on one connection, but cost more than the one call
 *   when a page holds a few events.</li>
 * </ul>
 */
public final class PgFeed implements Feed {

  /** The smallest limit read in the streamed form by a reader that does not say whether it is at the end. */
  public static final int STREAMED_FROM = 200;

  /** The columns {@link #toEvent} reads, by position; the payload as text, parsed only when asked for. */
  static final String COLUMNS = "tx, id, entity_type, entity_id, sequence_nr, event_type, payload::text, "
      + MetadataColumns.SELECT;
  private static final String READ = "SELECT " + COLUMNS + " FROM temper_store_read_feed($1, $2, $3, $4, $5, $6)";
  /** The page with the lifecycle's notices merged in (lifecycle/notices.sql), for a filter that asks for them. */
  private static final String READ_NOTICES = "SELECT " + COLUMNS
      + " FROM temper_store_read_feed_notices($1, $2, $3, $4, $5, $6)";
  /** What {@code temper_store_read_feed} sets for its query, for this transaction only (see feed-plans.sql). */
  static final String SETTINGS = "SELECT set_config('app.current_tenant', $1, true),"
      + " set_config('enable_sort', 'off', true)";
  /**
   * {@code temper_store_read_feed}'s query with the same parameters (its check of what is still served included),
   * its horizon an InitPlan computed once from the statement's own snapshot.
   */
  static final String PAGE = "SELECT coalesce(e.tx_id, '0'::xid8)::text::bigint AS tx, e.id, e.entity_type,"
      + " e.entity_id, e.sequence_nr, e.event_type, e.payload::text, " + MetadataColumns.SELECT
      + " FROM events e"
      + " WHERE e.tenant = $1"
      + " AND (coalesce(e.tx_id, '0'::xid8), e.id) > ($2::bigint::text::xid8, $3::bigint)"
      + " AND coalesce(e.tx_id, '0'::xid8) < (SELECT pg_snapshot_xmin(pg_current_snapshot()))"
      + " AND ($4::text[] IS NULL OR e.entity_type = ANY ($4))"
      + " AND ($5::text[] IS NULL OR e.event_type = ANY ($5))"
      + " AND e.event_type NOT IN ('$deleted', '$tombstone', '$lifecycle')"
      + " AND ((SELECT NOT EXISTS (SELECT 1 FROM temper_store_streams t WHERE t.tenant = $1"
      + "                          AND t.swept_below < t.hidden_below)"
      + "          AND NOT EXISTS (SELECT 1 FROM temper_store_retention t WHERE t.tenant = $1))"
      + "      OR (NOT EXISTS (SELECT 1 FROM temper_store_streams s WHERE s.tenant = e.tenant"
      + "                 AND s.entity_type = e.entity_type AND s.entity_id = e.entity_id"
      + "                 AND (s.tombstoned OR e.sequence_nr < s.hidden_below))"
      + "          AND NOT EXISTS (SELECT 1 FROM temper_store_retention r WHERE r.tenant = e.tenant"
      + "                 AND r.entity_type = e.entity_type AND (e.created_at <= now() - r.max_age"
      + "                   OR e.sequence_nr <= (SELECT h.sequence_nr FROM events h WHERE h.tenant = e.tenant"
      + "                         AND h.entity_type = e.entity_type AND h.entity_id = e.entity_id"
      + "                         ORDER BY h.sequence_nr DESC LIMIT 1) - r.max_count))))"
      + " ORDER BY coalesce(e.tx_id, '0'::xid8), e.id"
      + " LIMIT $6::int";

  private final Pool pool;
  private final int maxLimit;
  private final int streamedFrom;
  private final SubjectKeys keys;

  public PgFeed(Pool pool, int maxLimit) {
    this(pool, maxLimit, STREAMED_FROM);
  }

  /**
   * The feed as the store serves it on {@code pool}: pages of {@link #STREAMED_FROM} events or more streamed, unless
   * row-level security applies to the pool's role. Then its own query cannot use the feed index past the policy
   * (read-feed.sql says why) and every page is the function's, which runs as the tables' owner.
   */
  public static Uni<PgFeed> forRole(Pool pool, int maxLimit) {
    return forRole(pool, maxLimit, SubjectKeys.disabled());
  }

  /** As above, personal fields opened with {@code keys}. */
  public static Uni<PgFeed> forRole(Pool pool, int maxLimit, SubjectKeys keys) {
    return Reactive.uni(() -> pool.query("SELECT row_security_active('events')").execute())
        .onFailure().transform(e -> SqlErrors.toStoreException("row-level security check of the feed", e))
        .map(rows -> new PgFeed(pool, maxLimit,
            rows.iterator().next().getBoolean(0) ? Integer.MAX_VALUE : STREAMED_FROM, keys));
  }

  /** As the store's, but reading pages of {@code streamedFrom} events or more streamed (tests set it to 1). */
  public PgFeed(Pool pool, int maxLimit, int streamedFrom) {
    this(pool, maxLimit, streamedFrom, SubjectKeys.disabled());
  }

  /** As above, personal fields opened with {@code keys}. */
  public PgFeed(Pool pool, int maxLimit, int streamedFrom, SubjectKeys keys) {
    this.pool = pool;
    this.maxLimit = maxLimit;
    this.streamedFrom = streamedFrom;
    this.keys = keys;
  }

  /** The smallest limit this feed reads in the streamed form; {@link Integer#MAX_VALUE}: never. */
  public int streamedFrom() {
    return streamedFrom;
  }

  @Override
  public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit) {
    return read(tenant, after, filter, limit, limit >= streamedFrom);
  }

  @Override
  public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit, boolean atEnd) {
    return read(tenant, after, filter, limit, !atEnd && limit >= streamedFrom);
  }

  private Uni<FeedPage> read(String tenant, FeedPosition after, FeedFilter filter, int limit, boolean streamed) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      if (limit < 1 || limit > maxLimit) {
        throw new InvalidRequest("limit must be between 1 and " + maxLimit + ", got " + limit);
      }
      Tuple args = Tuple.of(tenant, after.tx(), after.id())
          .addArrayOfString(filter.entityTypes().isEmpty() ? null : filter.entityTypes().toArray(String[]::new))
          .addArrayOfString(filter.eventTypes().isEmpty() ? null : filter.eventTypes().toArray(String[]::new))
          .addInteger(limit + 1);
      // Notices are rare, and merged by the function: such a page is never streamed.
      return Reactive.uni(() -> filter.notices() ? pool.preparedQuery(READ_NOTICES).execute(args)
              : streamed ? streamed(tenant, args) : pool.preparedQuery(READ).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("feed read of tenant " + tenant, e))
          .flatMap(rows -> page(rows, limit, after, row -> tenant, keys));
    });
  }

  /**
   * The page's rows in the streamed form. The four statements are sent without waiting for one another; each
   * runs after the one before on the connection, so the page runs inside the transaction with its tenant set,
   * and fails with the transaction when either of those failed. The connection goes back to the pool only once
   * COMMIT (a rollback after a failure) has answered, so no one else runs inside this transaction.
   */
  private Future<RowSet<Row>> streamed(String tenant, Tuple args) {
    return pool.getConnection().compose(connection -> {
      connection.query("BEGIN").execute();
      connection.preparedQuery(SETTINGS).execute(Tuple.of(tenant));
      Future<RowSet<Row>> page = connection.preparedQuery(PAGE).execute(args);
      Future<RowSet<Row>> end = connection.query("COMMIT").execute();
      return Future.join(page, end).eventually(connection::close).transform(done -> page);
    });
  }

  /**
   * A page of up to {@code limit} events from a feed function's rows, read with one more than {@code limit} to
   * tell whether more are ready; each row's tenant is {@code tenant}'s answer for it.
   */
  static Uni<FeedPage> page(RowSet<Row> rows, int limit, FeedPosition after, Function<Row, String> tenant,
                            SubjectKeys keys) {
    List<FeedEvent> events = new ArrayList<>(Math.min(limit, rows.size()));
    Opening sealed = null;
    for (Row row : rows) {
      if (events.size() == limit) {
        break;
      }
      FeedEvent event = toEvent(tenant.apply(row), row);
      String personal = MetadataColumns.sealed(row, 7);
      if (personal != null) {
        sealed = sealed == null ? new Opening() : sealed;
        sealed.add(events.size(), event.persistenceId(), event.event().sequenceNr(), event.event().eventType(),
            row.getString(6), event.event().metadata(), MetadataColumns.marking(row, 7), personal);
      }
      events.add(event);
    }
    FeedPosition next = events.isEmpty() ? after : events.get(events.size() - 1).position();
    boolean more = rows.size() > limit;
    if (sealed == null) {
      return Uni.createFrom().item(new FeedPage(events, next, more));
    }
    return sealed.open(keys, events,
            (event, opened) -> new FeedEvent(event.position(), event.persistenceId(), opened))
        .map(opened -> new FeedPage(opened, next, more));
  }

  /** One row of a feed function, selected as {@link #COLUMNS} first, as an event of {@code tenant}. */
  static FeedEvent toEvent(String tenant, Row row) {
    FeedPosition position = new FeedPosition(row.getLong(0), row.getLong(1));
    PersistenceId stream = new PersistenceId(tenant, row.getString(2), row.getString(3));
    long sequence = row.getLong(4);
    return new FeedEvent(position, stream, StoredEvent.withPayloadJson(sequence, row.getString(5), row.getString(6),
        MetadataColumns.read(row, 7, stream, sequence)));
  }

}
