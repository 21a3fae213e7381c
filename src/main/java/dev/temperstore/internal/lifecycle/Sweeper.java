package dev.temperstore.internal.lifecycle;

import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.lifecycle.SweepSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Removes the rows the store no longer serves (sweep.sql), one bounded round at a time: at once again after a
 * round that removed a whole batch or found events newly past a retention policy, after
 * {@link SweepSettings#interval()} otherwise, and after a failure (the
 * database away: the next round simply tries again). Metrics: rows removed by table, rounds, and the streams
 * still queued, in this instance's registry.
 */
public final class Sweeper {

  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
  private static final String SWEEP = "SELECT swept, events_removed, snapshots_removed, streams_expired,"
      + " streams_queued FROM temper_store_sweep($1)";

  private final Vertx vertx;
  private final Pool pool;
  private final SweepSettings settings;
  private final Counter eventsRemoved;
  private final Counter snapshotsRemoved;
  private final Counter rounds;
  /** One backlog gauge per registry, which the instances sharing it set (Micrometer keeps the first gauge only). */
  private static final Map<MeterRegistry, AtomicLong> BACKLOGS = Collections.synchronizedMap(new WeakHashMap<>());

  private final AtomicLong backlog;
  private long timer = -1;
  private boolean closed;

  public Sweeper(Vertx vertx, Pool pool, SweepSettings settings, MeterRegistry registry) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    eventsRemoved = Counter.builder("temper.store.sweep.removed").tag("table", "events")
        .description("Rows the sweeper removed because the store no longer serves them").register(registry);
    snapshotsRemoved = Counter.builder("temper.store.sweep.removed").tag("table", "snapshots")
        .description("Rows the sweeper removed because the store no longer serves them").register(registry);
    rounds = Counter.builder("temper.store.sweep.rounds")
        .description("Sweeper rounds this instance ran (a round another instance held the lock for included)")
        .register(registry);
    backlog = BACKLOGS.computeIfAbsent(registry, meters -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder("temper.store.sweep.backlog", value, AtomicLong::get)
          .description("Streams with rows still to remove, as the last sweeper round saw them")
          .register(meters);
      return value;
    });
  }

  /** Starts the rounds on the caller's context; does nothing when the settings turn sweeping off. */
  public void start() {
    if (settings.enabled()) {
      schedule(settings.interval().toMillis());
    }
  }

  public void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void schedule(long delayMillis) {
    if (!closed) {
      timer = vertx.setTimer(Math.max(1, delayMillis), id -> round());
    }
  }

  private void round() {
    timer = -1;
    Reactive.uni(() -> pool.preparedQuery(SWEEP).execute(Tuple.of(settings.batch())))
        .subscribe().with(rows -> {
          Row row = rows.iterator().next();
          long events = row.getLong("events_removed");
          long snapshots = row.getLong("snapshots_removed");
          rounds.increment();
          eventsRemoved.increment(events);
          snapshotsRemoved.increment(snapshots);
          backlog.set(row.getLong("streams_queued"));
          if (events > 0) {
            LOG.debug("sweeper removed {} events and {} snapshots; {} streams queued", events, snapshots,
                backlog.get());
          }
          boolean more = row.getBoolean("swept")
              && (events >= settings.batch() || row.getLong("streams_expired") > 0);
          schedule(more ? 1 : settings.interval().toMillis());
        }, failure -> {
          if (closed) { // its pool closed under it: the store is stopping, nothing failed
            LOG.debug("sweeper round cut short by the store's stop: {}", failure.getMessage());
            return;
          }
          LOG.warn("sweeper round failed, trying again in {} ms: {}", settings.interval().toMillis(),
              failure.getMessage());
          schedule(settings.interval().toMillis());
        });
  }
}
