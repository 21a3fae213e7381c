package dev.temperstore.internal.lifecycle;

import dev.temperstore.internal.postgres.SqlErrors;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.internal.wire.LifecycleJson;
import dev.temperstore.lifecycle.PurgeReceipt;
import dev.temperstore.tenancy.Tenants;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A tenant purge on PostgreSQL (lifecycle/purge.sql): begin (or resume), batches of at most {@code batch} rows,
 * each one statement and transaction, until none is left, then the check, which finishes it. A write that raced
 * the batches fails the check, and more batches follow. Bounded by {@code budget}: a purge that needs longer
 * answers an unfinished receipt, and the next call resumes it. Between batches it rests in proportion to the
 * batch's own time, so that it works at most {@code duty} of the time: a purge is never urgent, the other tenants'
 * requests are (on 2 vCPUs, a purge of 1,000,000 events at full speed doubled their appends' p99 at 64 clients).
 */
public final class PgTenantPurge {

  private static final String BEGIN = "SELECT purge_id, started_at, resumed, removed::text"
      + " FROM temper_store_purge_begin($1, $2)";
  private static final String BATCH = "SELECT table_name, removed FROM temper_store_purge_batch($1, $2, $3)";
  private static final String FINISH = "SELECT finished, started_at, finished_at, removed::text, remaining::text"
      + " FROM temper_store_purge_finish($1, $2)";

  /** The share of time a purge works by default: a quarter, resting three times each batch's own time. */
  public static final double DEFAULT_DUTY = 0.25;

  private final Vertx vertx;
  private final Pool pool;
  private final int batch;
  private final double duty;

  /** {@code duty}: the share of time to work, above 0 and at most 1 (1: no rest). */
  public PgTenantPurge(Vertx vertx, Pool pool, int batch, double duty) {
    if (!(duty > 0 && duty <= 1)) {
      throw new IllegalArgumentException("a purge's duty must be above 0 and at most 1, got " + duty);
    }
    this.vertx = vertx;
    this.pool = pool;
    this.batch = batch;
    this.duty = duty;
  }

  /** Purges for at most {@code budget}; {@code progress} hears each batch ("events: 5000"). */
  public Uni<PurgeReceipt> purge(String tenant, String actor, Duration budget, Consumer<String> progress) {
    return Uni.createFrom().deferred(() -> {
      Tenants.validate(tenant);
      long until = System.nanoTime() + budget.toNanos();
      return query(BEGIN, Tuple.of(tenant, PgStreamLifecycle.actor(actor)), "purge of tenant " + tenant)
          .flatMap(rows -> {
            Row row = rows.iterator().next();
            long id = row.getLong("purge_id");
            if (row.getBoolean("resumed")) {
              progress.accept("resuming purge " + id + " of tenant " + tenant + ", removed so far: "
                  + row.getString("removed"));
            }
            return batches(tenant, id, until, progress);
          });
    });
  }

  /** Batches until a batch finds nothing, then the check; again while the check finds rows and time is left. */
  private Uni<PurgeReceipt> batches(String tenant, long id, long until, Consumer<String> progress) {
    long started = System.nanoTime();
    return query(BATCH, Tuple.of(tenant, id, batch), "purge of tenant " + tenant).flatMap(rows -> {
      if (rows.size() > 0) {
        Row row = rows.iterator().next();
        progress.accept(row.getString("table_name") + ": " + row.getLong("removed"));
        if (System.nanoTime() >= until) {
          return check(tenant, id);
        }
        return rest(System.nanoTime() - started).flatMap(rested -> batches(tenant, id, until, progress));
      }
      return check(tenant, id).flatMap(receipt -> {
        if (receipt.finished() || System.nanoTime() >= until) {
          return Uni.createFrom().item(receipt);
        }
        progress.accept("rows written meanwhile: " + receipt.remaining());
        return batches(tenant, id, until, progress);
      });
    });
  }

  /** Rests so that a batch that took {@code workedNanos} is {@code duty} of the time. */
  private Uni<Void> rest(long workedNanos) {
    long restMillis = Math.round(workedNanos * (1 / duty - 1) / 1e6);
    return restMillis < 1 ? Uni.createFrom().voidItem()
        : Reactive.uni(() -> vertx.timer(restMillis, TimeUnit.MILLISECONDS)).replaceWithVoid();
  }

  /** The check of what is left, which finishes the purge when nothing is: its receipt either way. */
  private Uni<PurgeReceipt> check(String tenant, long id) {
    return query(FINISH, Tuple.of(tenant, id), "check of the purge of tenant " + tenant)
        .map(rows -> receipt(tenant, id, rows.iterator().next()));
  }

  private Uni<RowSet<Row>> query(String sql, Tuple args, String what) {
    return Reactive.uni(() -> pool.preparedQuery(sql).execute(args))
        .onFailure().transform(e -> SqlErrors.toStoreException(what, e));
  }

  private static PurgeReceipt receipt(String tenant, long id, Row row) {
    OffsetDateTime finished = row.getOffsetDateTime("finished_at");
    return new PurgeReceipt(tenant, id, row.getOffsetDateTime("started_at").toInstant(),
        Optional.ofNullable(finished).map(OffsetDateTime::toInstant), counts(row.getString("removed")),
        counts(row.getString("remaining")));
  }

  /** Rows per table, from the receipt's JSON text; none before the check has run. */
  private static Map<String, Long> counts(String json) {
    return json == null ? Map.of() : LifecycleJson.counts(new JsonObject(json));
  }
}
