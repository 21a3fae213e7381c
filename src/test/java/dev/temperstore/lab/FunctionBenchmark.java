package dev.temperstore.lab;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.BenchPayloads;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What {@code temper_store_append} costs inside PostgreSQL, beside a bare INSERT of the same rows: one client,
 * prepared statements, {@code synchronous_commit} off so the commit's fsync does not hide the difference. Each
 * row runs on a fresh, migrated database; the "re-planned" rows undo the {@code append function plans} step to
 * show what it saves. For one row, {@code temper_store_append_one} (what an append that goes alone calls) too.
 *
 * <pre>java -cp target/temper-store.jar dev.temperstore.service.bench.FunctionBenchmark --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 */
@Command(name = "function-benchmark", mixinStandardHelpOptions = true,
    description = "The append function's time in PostgreSQL beside a bare INSERT, as a markdown table.")
public final class FunctionBenchmark implements Callable<Integer> {

  private static final String SIGNATURE = "temper_store_append(int[], text[], text[], text[], bigint[], int[],"
      + " int[], bigint[], text[], text[], text[], text[])";

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--duration", defaultValue = "8", description = "Seconds per row (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--appends", split = ",", defaultValue = "1,64",
      description = "One-event appends (rows) per call (default ${DEFAULT-VALUE})")
  List<Integer> batchSizes;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FunctionBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
      System.out.println("| rows per call | bare INSERT ms | append function ms | ratio"
          + " | function, re-planned each call ms | ratio | lone append function ms | ratio |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (int rows : batchSizes) {
        double insert = run(vertx, server, insertScript(rows), false);
        double function = run(vertx, server, functionScript(rows), false);
        double replanned = run(vertx, server, functionScript(rows), true);
        String lone = "– | –";
        if (rows == 1) {
          double one = run(vertx, server, loneScript(), false);
          lone = String.format(Locale.ROOT, "%.3f | %.2f×", one, one / insert);
        }
        System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.2f× | %.3f | %.2f× | %s |%n", rows, insert, function,
            function / insert, replanned, replanned / insert, lone);
      }
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  /** Mean milliseconds per call of {@code script}, one client, on a fresh migrated database. */
  private double run(Vertx vertx, DatabaseTarget server, String script, boolean replanned) throws Exception {
    try (BenchDatabase database = BenchDatabase.create(vertx, server)) {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      database.execute("ALTER DATABASE " + database.name() + " SET synchronous_commit = off");
      if (replanned) {
        database.execute("ALTER FUNCTION " + SIGNATURE + " RESET plan_cache_mode");
      }
      return PgBench.run(database.target(), script, 1, Duration.ofSeconds(seconds), "-M", "prepared").latencyMs();
    }
  }

  /** {@code rows} rows of fresh streams, as the baseline of the suite writes them. */
  static String insertScript(int rows) {
    return "\\set n random(1, 9000000000000000000)\n"
        + "INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
        + " SELECT 'bench', 'Order', 'pg-' || :client_id || '-' || :n || '-' || g, 1, 'OrderLineAdded', '"
        + BenchPayloads.PAYLOAD_JSON + "', '" + BenchPayloads.METADATA_JSON + "' FROM generate_series(1, " + rows
        + ") g;\n";
  }

  /** One event appended to a fresh stream by the lone append's function. */
  static String loneScript() {
    return "\\set n random(1, 9000000000000000000)\n"
        + "SELECT outcome FROM temper_store_append_one('bench', 'Order', 'one-' || :client_id || '-' || :n, 0,"
        + " ARRAY['OrderLineAdded'], ARRAY['" + BenchPayloads.PAYLOAD_JSON + "'], ARRAY['"
        + BenchPayloads.METADATA_JSON + "'], ARRAY['" + BenchPayloads.EVENT_ID + "']);\n";
  }

  /** One call appending one event to each of {@code rows} fresh streams, as a batch of the store does. */
  static String functionScript(int rows) {
    String n = "ARRAY[" + rows + "]";
    return "\\set n random(1, 9000000000000000000)\n"
        + "SELECT count(*) FROM temper_store_append(array_fill(0, " + n + "), array_fill('bench'::text, " + n + "),"
        + " array_fill('Order'::text, " + n + "),"
        + " ARRAY(SELECT 'fn-' || :client_id || '-' || :n || '-' || g FROM generate_series(1, " + rows + ") g),"
        + " array_fill(0::bigint, " + n + "), array_fill(1, " + n + "),"
        + " ARRAY(SELECT g FROM generate_series(1, " + rows + ") g), array_fill(1::bigint, " + n + "),"
        + " array_fill('OrderLineAdded'::text, " + n + "), array_fill('" + BenchPayloads.PAYLOAD_JSON + "'::text, " + n
        + "), array_fill('" + BenchPayloads.METADATA_JSON + "'::text, " + n + "),"
        + " array_fill('" + BenchPayloads.EVENT_ID + "'::text, " + n + "));\n";
  }
}
