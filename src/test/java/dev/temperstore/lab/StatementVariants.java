package dev.temperstore.lab;

import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.BenchPayloads;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the forms of the store's lone-append statement cost in PostgreSQL beside a plain INSERT of the same rows: one
 * caller, one connection, prepared, each form in short slices, in an order shuffled every round, all on one database,
 * so that the machine's drift and autovacuum's work fall on every form alike. Medians of the slices.
 */
@Command(name = "statement-variants", mixinStandardHelpOptions = true,
    description = "Alternates forms of the lone-append statement in short slices and prints each form's rate.")
public final class StatementVariants implements Callable<Integer> {

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--events", defaultValue = "1", description = "Events per append (default ${DEFAULT-VALUE})")
  int events;

  @Option(names = "--slice", defaultValue = "3", description = "Seconds per slice (default ${DEFAULT-VALUE})")
  int slice;

  @Option(names = "--rounds", defaultValue = "8",
      description = "Slices of each form, in an order shuffled each round (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--synchronous-commit", defaultValue = "on",
      description = "synchronous_commit of the connection (default ${DEFAULT-VALUE})")
  String synchronousCommit;

  private static final String PLAIN = "plain INSERT";
  /** Any stream: only the statement's text is taken from what is made for it. */
  private static final PersistenceId STREAM = new PersistenceId("bench", "Order", "any");

  public static void main(String[] args) {
    System.exit(new CommandLine(new StatementVariants()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    try (BenchDatabase database = BenchDatabase.create(vertx, server)) {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      DatabaseTarget target = new DatabaseTarget(new PgConnectOptions(database.target().options())
          .addProperty("synchronous_commit", synchronousCommit), database.target().connectTimeout());
      Pool pool = target.pool(vertx, 1, Duration.ofSeconds(30));
      Map<String, Supplier<Future<?>>> forms = new LinkedHashMap<>();
      forms.put(PLAIN, plain(pool));
      forms.put("the store's lone INSERT, events as arrays", store(pool, "arrays", AppendStatements::insertByArrays));
      if (events <= AppendStatements.VALUES_MAX) {
        forms.put("the store's lone INSERT, events as a VALUES list",
            store(pool, "values", AppendStatements::insertByValues));
        String unchecked = withoutHeadCheck(
            AppendStatements.insertByValues(new EncodedAppend(STREAM, 0, StoreLayers.encodedEvents(events))).sql());
        forms.put("the same with RETURNING sequence_nr (the form before decision 0034)",
            store(pool, "returning", append -> {
              AppendStatements.Statement values = AppendStatements.insertByValues(append);
              return new AppendStatements.Statement(values.sql() + " RETURNING sequence_nr", values.arguments());
            }));
        forms.put("the same without the head lookup (not a correct append: what the lookup costs)",
            store(pool, "unchecked", append ->
                new AppendStatements.Statement(unchecked, AppendStatements.insertByValues(append).arguments())));
      }
      Context context = vertx.getOrCreateContext();
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      for (Map.Entry<String, Supplier<Future<?>>> form : forms.entrySet()) {
        rates.put(form.getKey(), new ArrayList<>());
        run(context, form.getValue(), 1).toCompletionStage().toCompletableFuture().get(); // prepared and warm
      }
      Random order = new Random(42);
      for (int round = 0; round < rounds; round++) {
        List<Map.Entry<String, Supplier<Future<?>>>> shuffled = new ArrayList<>(forms.entrySet());
        Collections.shuffle(shuffled, order);
        for (Map.Entry<String, Supplier<Future<?>>> form : shuffled) {
          long count = run(context, form.getValue(), slice).toCompletionStage().toCompletableFuture().get();
          rates.get(form.getKey()).add(count / (double) slice);
        }
      }
      double base = StoreLayers.median(rates.get(PLAIN));
      System.out.printf(Locale.ROOT, "%d event(s) an append, synchronous_commit %s, %d slices of %d s;"
          + " appends/s (median), ratio to the plain INSERT, each slice:%n", events, synchronousCommit, rounds, slice);
      rates.forEach((form, list) -> System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f× | %s |%n", form,
          StoreLayers.median(list), StoreLayers.median(list) / base,
          String.join(", ", list.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList())));
      pool.close().await();
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  /** The same rows by a prepared INSERT with one VALUES list, each append to a new stream (as StoreLayers). */
  private Supplier<Future<?>> plain(Pool pool) {
    String sql = StoreLayers.handInsertSql(events);
    long[] streams = {0};
    return () -> {
      Tuple row = Tuple.of("p-" + streams[0]++);
      for (int i = 0; i < events; i++) {
        row.addString("OrderLineAdded").addString(BenchPayloads.PAYLOAD_JSON).addString(BenchPayloads.METADATA_JSON);
      }
      return pool.preparedQuery(sql).execute(row);
    };
  }

  /** {@code sql}, the store's lone INSERT, with its head check taken out; refused if it has none to take out. */
  private static String withoutHeadCheck(String sql) {
    String unchecked = sql.replaceFirst(" AND \\$4 = temper_store_stream_head\\([^)]*\\)\\)", ")");
    if (unchecked.equals(sql)) {
      throw new IllegalStateException("no head check found in the lone INSERT: " + sql);
    }
    return unchecked;
  }

  /** The store's statement in {@code form}, appending to one growing stream of its own. */
  private Supplier<Future<?>> store(Pool pool, String stream,
                                    Function<EncodedAppend, AppendStatements.Statement> form) {
    PersistenceId id = new PersistenceId("bench", "Order", stream);
    List<EncodedAppend.Event> batch = StoreLayers.encodedEvents(events);
    long[] head = {0};
    return () -> {
      AppendStatements.Statement statement = form.apply(new EncodedAppend(id, head[0], batch));
      head[0] += events;
      return pool.preparedQuery(statement.sql()).execute(statement.arguments()).map(rows -> {
        if (rows.rowCount() != events) {
          throw new IllegalStateException(stream + ": the append at " + (head[0] - events) + " wrote nothing");
        }
        return rows;
      });
    };
  }

  /** Calls {@code form} one after another on {@code context} for {@code seconds}; the number of calls. */
  static Future<Long> run(Context context, Supplier<Future<?>> form, int seconds) {
    Promise<Long> done = Promise.promise();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    context.runOnContext(ignored -> next(form, end, 0, done));
    return done.future();
  }

  private static void next(Supplier<Future<?>> form, long end, long count, Promise<Long> done) {
    if (System.nanoTime() - end >= 0) {
      done.complete(count);
      return;
    }
    form.get().onComplete(result -> {
      if (result.failed()) {
        done.fail(result.cause());
      } else {
        next(form, end, count + 1, done);
      }
    });
  }
}
