package dev.temperstore.migration;

import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.internal.reactive.Reactive;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Brings a database's schema up to date by applying the steps its ledger does not hold yet, in order.
 *
 * <p>One run is one transaction on a dedicated connection: it takes a transaction-scoped advisory lock (released
 * by PostgreSQL however the run ends, even if the process dies), reads the ledger only once the lock is held,
 * refuses a step whose SQL changed since it was applied, applies the pending steps, records them, and commits.
 * A failing step rolls everything back, so a database is never left half-migrated by us. Replicas starting
 * together queue on the lock; each later one finds nothing to do.
 */
public final class MigrationPipeline {

  /** The advisory lock key: the ASCII bytes of "tmprstor", recognisable in {@code pg_locks}. */
  public static final long LOCK_KEY = 0x746d707273746f72L;

  private static final Logger LOG = LoggerFactory.getLogger(MigrationPipeline.class);

  private final List<MigrationStep> steps;
  private final MigrationSettings settings;

  public MigrationPipeline(List<MigrationStep> steps, MigrationSettings settings) {
    this.steps = List.copyOf(steps);
    this.settings = settings;
  }

  /** The pipeline over the store's {@link Schema}. */
  public static MigrationPipeline standard(MigrationSettings settings) {
    return new MigrationPipeline(Schema.steps(), settings);
  }

  public List<MigrationStep> steps() {
    return steps;
  }

  /**
   * Runs the pipeline against {@code target} on a connection of its own; the connection is closed whatever the
   * outcome, which also releases the lock if anything went wrong.
   */
  public Uni<MigrationReport> run(Vertx vertx, DatabaseTarget target, MigrationListener listener) {
    long started = System.nanoTime();
    Pool single = target.pool(vertx, 1);
    return Reactive.uni(single::getConnection)
        .onFailure().transform(e -> new MigrationFailed(null, "failed to connect to "
            + target.describe() + ": " + e.getMessage(), e))
        .flatMap(connection -> inTransaction(connection, listener))
        .eventually(() -> Reactive.uni(single::close).onFailure().recoverWithNull())
        .map(applied -> new MigrationReport(applied, steps.size() - applied.size(),
            Duration.ofNanos(System.nanoTime() - started)))
        .invoke(report -> LOG.info("schema up to date: applied {} of {} steps in {} ms ({} already applied)",
            report.applied().size(), steps.size(), report.took().toMillis(), report.alreadyApplied()));
  }

  private Uni<List<String>> inTransaction(SqlConnection connection, MigrationListener listener) {
    return Reactive.uni(connection::begin).flatMap(tx -> migrate(connection, listener)
        .call(() -> Reactive.uni(tx::commit).onFailure().transform(e ->
            new MigrationFailed(null, "failed to commit migration: " + e.getMessage(), e)))
        .onFailure().call(() -> rollback(tx)));
  }

  private Uni<List<String>> migrate(SqlConnection connection, MigrationListener listener) {
    return configureSession(connection)
        .flatMap(ignored -> acquireLock(connection, listener))
        .flatMap(ignored -> Ledger.read(connection))
        .map(this::pendingSteps)
        .invoke(pending -> listener.planned(pending.size(), steps.size() - pending.size()))
        .flatMap(pending -> apply(connection, pending, listener))
        .call(applied -> Ledger.record(connection, applied))
        .call(applied -> RowSecurityMode.apply(connection, settings.forceRowLevelSecurity()))
        .map(applied -> applied.stream().map(entry -> entry.step().label()).toList());
  }

  /**
   * Bounds every wait of the run, and keeps IF NOT EXISTS notices ("already exists, skipping") out of the logs.
   * Constant statements go through the simple protocol: one round trip each, nothing to prepare.
   */
  private Uni<Void> configureSession(SqlConnection connection) {
    String sql = "SELECT set_config('lock_timeout', '" + settings.lockTimeout().toMillis() + "', true),"
        + " set_config('statement_timeout', '" + settings.statementTimeout().toMillis() + "', true),"
        + " set_config('client_min_messages', 'warning', true)";
    return Reactive.uni(() -> connection.query(sql).execute())
        .onFailure().transform(e -> new MigrationFailed(null, "failed to configure the migration session: "
            + e.getMessage(), e))
        .replaceWithVoid();
  }

  /** Says so when another replica holds the lock, then waits for it (bounded by the lock timeout). */
  private Uni<Void> acquireLock(SqlConnection connection, MigrationListener listener) {
    return Reactive.uni(() -> connection.query("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ") AS locked")
            .execute())
        .map(rows -> rows.iterator().next().getBoolean("locked"))
        .flatMap(locked -> {
          if (locked) {
            return Uni.createFrom().voidItem();
          }
          LOG.info("another instance is migrating this database; waiting up to {} ms for its lock",
              settings.lockTimeout().toMillis());
          listener.waitingForLock();
          return Reactive.uni(() -> connection.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")").execute())
              .replaceWithVoid();
        })
        .onFailure().transform(e -> new MigrationFailed(null, "failed to acquire the migration lock within "
            + settings.lockTimeout().toMillis() + " ms (temper.migration.lock-timeout): " + e.getMessage(), e));
  }

  /** The steps the ledger lacks, in list order; a step whose checksum changed stops the run. */
  private List<IndexedStep> pendingSteps(Map<String, String> applied) {
    List<IndexedStep> pending = new ArrayList<>();
    for (int position = 0; position < steps.size(); position++) {
      MigrationStep step = steps.get(position);
      String recorded = applied.get(step.label());
      if (recorded == null) {
        pending.add(new IndexedStep(step, position + 1));
      } else if (!recorded.equals(step.checksum())) {
        throw new MigrationFailed(step.label(), "migration step \"" + step.label()
            + "\" was applied with checksum " + recorded + " but this version's step has checksum "
            + step.checksum() + ": a released step must never change, so refusing to start (restore the step, "
            + "or add the change as a new step)", null);
      }
    }
    applied.keySet().stream()
        .filter(label -> steps.stream().noneMatch(step -> step.label().equals(label)))
        .forEach(label -> LOG.warn("the migration ledger holds step \"{}\", which this version does not know "
            + "(applied by a newer temper-store?); leaving it alone", label));
    return pending;
  }

  private Uni<List<Ledger.Entry>> apply(SqlConnection connection, List<IndexedStep> pending,
                                        MigrationListener listener) {
    return Multi.createFrom().iterable(pending)
        .onItem().transformToUniAndConcatenate(indexed -> apply(connection, indexed, listener))
        .collect().asList();
  }

  private Uni<Ledger.Entry> apply(SqlConnection connection, IndexedStep indexed, MigrationListener listener) {
    MigrationStep step = indexed.step();
    long started = System.nanoTime();
    return Reactive.uni(() -> connection.query(step.sql()).execute())
        .onFailure().transform(e -> new MigrationFailed(step.label(), step.failureMessage(e), e))
        .onFailure().invoke(e -> listener.stepFailed(step, (MigrationFailed) e))
        .map(rows -> {
          Duration took = Duration.ofNanos(System.nanoTime() - started);
          LOG.debug("applied {} in {} ms", step.label(), took.toMillis());
          listener.stepApplied(step, took);
          return new Ledger.Entry(step, indexed.position(), took.toMillis());
        });
  }

  private static Uni<Void> rollback(Transaction tx) {
    // The original failure is what the caller must see; a failed rollback only means the connection is gone,
    // and PostgreSQL then rolls back by itself.
    return Reactive.uni(tx::rollback).onFailure().recoverWithNull().replaceWithVoid();
  }

  private record IndexedStep(MigrationStep step, int position) {
  }
}
