package dev.temperstore.lab;

import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * What a batch of 1-event appends to as many streams costs in PostgreSQL by each of the statements the batcher can
 * send for it: the batch function ({@link AppendStatements#BATCH}), the shared INSERT
 * ({@link AppendStatements#insertShared}), and, as the baseline, the lone INSERT once for each append (a statement and
 * a commit each, what the appends cost unbatched). One caller, one connection, prepared, each form in short slices
 * ({@link Slices}; decision 0035). Rates in appends a second.
 */
@Command(name = "batch-statements", mixinStandardHelpOptions = true,
    description = "Alternates the statements a batch of appends can go by, in short slices, and prints their rates.")
public final class BatchStatements implements Callable<Integer> {

  @Mixin
  Slices.Options options;

  @Option(names = "--appends", defaultValue = "4",
      description = "1-event appends in a batch, each to its own stream (default ${DEFAULT-VALUE})")
  int appends;

  private static final String LONE = "the lone INSERT, once an append";

  public static void main(String[] args) {
    System.exit(new CommandLine(new BatchStatements()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (appends < 2 || appends > AppendStatements.SHARED_MAX) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--appends: 2 to " + AppendStatements.SHARED_MAX + " (the shared INSERT's most events)");
    }
    Vertx vertx = Vertx.vertx();
    try (BenchDatabase database = options.migratedDatabase(vertx)) {
      Pool pool = options.connection(vertx, database);
      Map<String, Slices.Form> forms = new LinkedHashMap<>();
      forms.put(LONE, new Form(pool, "lone", Kind.LONE).counted());
      forms.put("the batch function, " + appends + " appends a statement",
          new Form(pool, "function", Kind.FUNCTION).counted());
      forms.put("the shared INSERT, " + appends + " appends a statement",
          new Form(pool, "shared", Kind.SHARED).counted());
      Map<String, List<Double>> rates = Slices.measure(vertx.getOrCreateContext(), forms, options);
      Slices.print(appends + " 1-event appends to as many streams", options, rates, LONE, "the lone INSERT");
      pool.close().await();
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  private enum Kind { LONE, FUNCTION, SHARED }

  /** One form's calls: each writes the next event of its streams, in turn (lone) or all in one statement. */
  private final class Form implements Supplier<Future<?>> {

    private final Pool pool;
    private final Kind kind;
    private final List<PersistenceId> streams = new ArrayList<>();
    private final long[] heads;
    private int next;

    Form(Pool pool, String name, Kind kind) {
      this.pool = pool;
      this.kind = kind;
      for (int i = 0; i < appends; i++) {
        streams.add(new PersistenceId("bench", "Order", name + "-" + i));
      }
      this.heads = new long[appends];
    }

    /** This form, each call counted as the appends it writes. */
    Slices.Form counted() {
      return new Slices.Form(this, kind == Kind.LONE ? 1 : appends);
    }

    @Override
    public Future<?> get() {
      if (kind == Kind.LONE) {
        int stream = next++ % appends;
        EncodedAppend append = new EncodedAppend(streams.get(stream), heads[stream]++, StoreLayers.encodedEvents(1));
        AppendStatements.Statement insert = AppendStatements.insert(append);
        return pool.preparedQuery(insert.sql()).execute(insert.arguments()).map(rows -> written(rows, 1));
      }
      List<List<EncodedAppend>> requests = new ArrayList<>(appends);
      for (int i = 0; i < appends; i++) {
        requests.add(List.of(new EncodedAppend(streams.get(i), heads[i]++, StoreLayers.encodedEvents(1))));
      }
      if (kind == Kind.SHARED) {
        AppendStatements.Statement insert = AppendStatements.insertShared(requests);
        return pool.preparedQuery(insert.sql()).execute(insert.arguments()).map(rows -> written(rows, appends));
      }
      return pool.preparedQuery(AppendStatements.BATCH).execute(AppendStatements.batchArguments(requests))
          .map(rows -> {
            for (AppendStatements.Outcome outcome : AppendStatements.outcomes(requests, rows)) {
              if (!(outcome instanceof AppendStatements.Outcome.Written)) {
                throw new IllegalStateException("the batch function refused an append: " + outcome);
              }
            }
            return rows;
          });
    }

    private RowSet<Row> written(RowSet<Row> rows, int events) {
      if (rows.rowCount() != events) {
        throw new IllegalStateException(kind + ": " + rows.rowCount() + " of " + events + " events written");
      }
      return rows;
    }
  }
}
