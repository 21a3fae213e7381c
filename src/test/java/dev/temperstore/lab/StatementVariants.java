package dev.temperstore.lab;

import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.BenchPayloads;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the forms of the store's lone-append statement cost in PostgreSQL beside a plain INSERT of the same rows: one
 * caller, one connection, prepared, each form in short slices ({@link Slices}). Medians of the slices.
 */
@Command(name = "statement-variants", mixinStandardHelpOptions = true,
    description = "Alternates forms of the lone-append statement in short slices and prints each form's rate.")
public final class StatementVariants implements Callable<Integer> {

  @Mixin
  Slices.Options options;

  @Option(names = "--events", defaultValue = "1", description = "Events per append (default ${DEFAULT-VALUE})")
  int events;

  private static final String PLAIN = "plain INSERT";
  /** Any stream: only the statement's text is taken from what is made for it. */
  private static final PersistenceId STREAM = new PersistenceId("bench", "Order", "any");

  public static void main(String[] args) {
    System.exit(new CommandLine(new StatementVariants()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (BenchDatabase database = options.migratedDatabase(vertx)) {
      Pool pool = options.connection(vertx, database);
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
      Map<String, Slices.Form> counted = new LinkedHashMap<>();
      forms.forEach((name, call) -> counted.put(name, new Slices.Form(call, 1)));
      Map<String, List<Double>> rates = Slices.measure(vertx.getOrCreateContext(), counted, options);
      Slices.print(events + " event(s) an append", options, rates, PLAIN, "the plain INSERT");
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
}
