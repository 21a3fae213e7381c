package dev.temperstore.feed.pg;

import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.events.StoredEvent;
import dev.temperstore.events.pg.MetadataColumns;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.postgres.SqlErrors;
import dev.temperstore.reactive.Reactive;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The feed on PostgreSQL: one call of {@code temper_store_read_feed} per page (see its SQL for the order). */
public final class PgFeed implements Feed {

  /** The columns {@link #toEvent} reads, by position; the payload as text, parsed only when asked for. */
  static final String COLUMNS = "tx, id, entity_type, entity_id, sequence_nr, event_type, payload::text, "
      + MetadataColumns.SELECT;
  private static final String READ = "SELECT " + COLUMNS + " FROM temper_store_read_feed($1, $2, $3, $4, $5, $6)";

  private final Pool pool;
  private final int maxLimit;

  public PgFeed(Pool pool, int maxLimit) {
    this.pool = pool;
    this.maxLimit = maxLimit;
  }

  @Override
  public Uni<FeedPage> readAll(String tenant, FeedPosition after, FeedFilter filter, int limit) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      if (limit < 1 || limit > maxLimit) {
        throw new InvalidRequest("limit must be between 1 and " + maxLimit + ", got " + limit);
      }
      Tuple args = Tuple.of(tenant, after.tx(), after.id())
          .addArrayOfString(filter.entityTypes().isEmpty() ? null : filter.entityTypes().toArray(String[]::new))
          .addArrayOfString(filter.eventTypes().isEmpty() ? null : filter.eventTypes().toArray(String[]::new))
          .addInteger(limit + 1);
      return Reactive.uni(() -> pool.preparedQuery(READ).execute(args))
          .onFailure().transform(e -> SqlErrors.toStoreException("feed read of tenant " + tenant, e))
          .map(rows -> page(rows, limit, after, row -> tenant));
    });
  }

  /**
   * A page of up to {@code limit} events from a feed function's rows, read with one more than {@code limit} to
   * tell whether more are ready; each row's tenant is {@code tenant}'s answer for it.
   */
  static FeedPage page(RowSet<Row> rows, int limit, FeedPosition after, Function<Row, String> tenant) {
    List<FeedEvent> events = new ArrayList<>(Math.min(limit, rows.size()));
    for (Row row : rows) {
      if (events.size() == limit) {
        break;
      }
      events.add(toEvent(tenant.apply(row), row));
    }
    FeedPosition next = events.isEmpty() ? after : events.get(events.size() - 1).position();
    return new FeedPage(events, next, rows.size() > limit);
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
