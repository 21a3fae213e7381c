package dev.temperstore.lab;

import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * What a batch of 1-event appends to as many streams costs in PostgreSQL by each of the statements the batcher can
 * send for it: the batch function ({@link AppendStatements#BATCH}), the shared INSERT
 * ({@link AppendStatements#insertShared}), and, as the baseline, the lone INSERT once for each append (a statement and
 * a commit each, what the appends cost unbatched). One caller, one connection, prepared, each form in short slices in
 * an order shuffled every round, all on one database (decision 0035). Rates in appends a second.
 */
@Command(name = "batch-statements", mixinStandardHelpOptions = true,
    description = "Alternates the statements a batch of appends can go by, in short slices, and prints their rates.")
public final class BatchStatements implements Callable<Integer> {

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--appends", defaultValue = "4",
      description = "1-event appends in a batch, each to its own stream (default ${DEFAULT-VALUE})")
  int appends;

  @Option(names = "--slice", defaultValue = "3", description = "Seconds per slice (default ${DEFAULT-VALUE})")
  int slice;

  @Option(names = "--rounds", defaultValue = "8",
      description = "Slices of each form, in an order shuffled each round (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--synchronous-commit", defaultValue = "on",
      description = "synchronous_commit of the connection (default ${DEFAULT-VALUE})")
  String synchronousCommit;

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
    DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    try (BenchDatabase database = BenchDatabase.create(vertx, server)) {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      DatabaseTarget target = new DatabaseTarget(new PgConnectOptions(database.target().options())
          .addProperty("synchronous_commit", synchronousCommit), database.target().connectTimeout());
      Pool pool = target.pool(vertx, 1, Duration.ofSeconds(30));
      Map<String, Form> forms = new LinkedHashMap<>();
      forms.put(LONE, new Form(pool, "lone", Kind.LONE));
      forms.put("the batch function, " + appends + " appends a statement", new Form(pool, "function", Kind.FUNCTION));
      forms.put("the shared INSERT, " + appends + " appends a statement", new Form(pool, "shared", Kind.SHARED));
      Context context = vertx.getOrCreateContext();
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      for (Map.Entry<String, Form> form : forms.entrySet()) {
        rates.put(form.getKey(), new ArrayList<>());
        StatementVariants.run(context, form.getValue(), 1).toCompletionStage().toCompletableFuture().get(); // warm
      }
      Random order = new Random(42);
      for (int round = 0; round < rounds; round++) {
        List<Map.Entry<String, Form>> shuffled = new ArrayList<>(forms.entrySet());
        Collections.shuffle(shuffled, order);
        for (Map.Entry<String, Form> form : shuffled) {
          long calls = StatementVariants.run(context, form.getValue(), slice).toCompletionStage()
              .toCompletableFuture().get();
          rates.get(form.getKey()).add(calls * form.getValue().appendsPerCall() / (double) slice);
        }
      }
      double base = StoreLayers.median(rates.get(LONE));
      System.out.printf(Locale.ROOT, "%d 1-event appends to as many streams, synchronous_commit %s, %d slices of"
          + " %d s; appends/s (median), ratio to the lone INSERT, each slice:%n", appends, synchronousCommit, rounds,
          slice);
      rates.forEach((form, list) -> System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f× | %s |%n", form,
          StoreLayers.median(list), StoreLayers.median(list) / base,
          String.join(", ", list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList())));
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

    int appendsPerCall() {
      return kind == Kind.LONE ? 1 : appends;
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
