package dev.temperstore.lab;

import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What the all-tenant feed's index ({@code idx_events_feed_all_tenants}) costs appends: {@code temper_store_append}
 * through pgbench on two migrated databases, one with the index and one with it dropped, in alternating short runs
 * (which goes first alternates too), so that a machine whose load drifts favours neither: each round's ratio
 * compares two runs seconds apart. Then, per append call, the WAL that PostgreSQL writes with and without the index
 * (a count that other load on the machine does not change) and the call's execution time in the server
 * ({@code EXPLAIN (ANALYZE, WAL)}, calls alternating between the two databases). {@code synchronous_commit}
 * is off by default, so that the commit's flush does not hide the index's work: the ratio is the most it costs.
 *
 * <pre>java -cp target/temper-store.jar dev.temperstore.service.bench.FeedIndexBenchmark --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 */
@Command(name = "feed-index-benchmark", mixinStandardHelpOptions = true,
    description = "Appends with and without the all-tenant feed index, alternating, as markdown tables.")
public final class FeedIndexBenchmark implements Callable<Integer> {

  static final String INDEX = "idx_events_feed_all_tenants";
  private static final int CALL_SAMPLES = 200;

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--duration", defaultValue = "5", description = "Seconds per run (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--rounds", defaultValue = "9", description = "Runs with and without, each (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--appends", split = ",", defaultValue = "1,64",
      description = "One-event appends (rows) per call (default ${DEFAULT-VALUE})")
  List<Integer> batchSizes;

  @Option(names = "--clients", split = ",", defaultValue = "1,8",
      description = "pgbench clients (default ${DEFAULT-VALUE})")
  List<Integer> clientCounts;

  @Option(names = "--synchronous-commit", defaultValue = "off",
      description = "The databases' synchronous_commit: off or on (default ${DEFAULT-VALUE})")
  String synchronousCommit;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FeedIndexBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!synchronousCommit.equals("on") && !synchronousCommit.equals("off")) {
      System.err.println("--synchronous-commit must be on or off, got " + synchronousCommit);
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    try {
      DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
      StringBuilder throughput = new StringBuilder()
          .append("| rows per call | clients | with the index, median events/s | without, median events/s |")
          .append(" ratio per round: median (lowest, highest) |\n|---:|---:|---:|---:|---|\n");
      StringBuilder calls = new StringBuilder()
          .append("| rows per call | WAL records per event, with / without | WAL bytes per event, with / without |")
          .append(" fastest ms per event, with / without | median ms per event, with / without |\n")
          .append("|---:|---|---|---|---|\n");
      for (int rows : batchSizes) {
        try (BenchDatabase with = migrated(vertx, server, true);
             BenchDatabase without = migrated(vertx, server, false)) {
          for (int clients : clientCounts) {
            throughput.append(compare(with, without, rows, clients)).append('\n');
            System.err.println(throughput);
          }
          calls.append(callCost(vertx, with, without, rows)).append('\n');
        }
      }
      System.out.println(throughput);
      System.out.println(calls);
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  /** One table row: alternating runs on both databases, and the ratio of each round's pair. */
  private String compare(BenchDatabase with, BenchDatabase without, int rows, int clients) throws Exception {
    List<Double> withRates = new ArrayList<>();
    List<Double> withoutRates = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      double withRate;
      double withoutRate;
      if (round % 2 == 0) {
        withRate = eventsPerSecond(with, rows, clients);
        withoutRate = eventsPerSecond(without, rows, clients);
      } else {
        withoutRate = eventsPerSecond(without, rows, clients);
        withRate = eventsPerSecond(with, rows, clients);
      }
      withRates.add(withRate);
      withoutRates.add(withoutRate);
      ratios.add(withRate / withoutRate);
    }
    return String.format(Locale.ROOT, "| %d | %d | %,.0f | %,.0f | %.3f× (%.3f, %.3f) |", rows, clients,
        median(withRates), median(withoutRates), median(ratios), ratios.stream().min(Double::compare).orElseThrow(),
        ratios.stream().max(Double::compare).orElseThrow());
  }

  private double eventsPerSecond(BenchDatabase database, int rows, int clients) throws Exception {
    return PgBench.run(database.target(), FunctionBenchmark.functionScript(rows), clients,
        Duration.ofSeconds(seconds), "-M", "prepared").tps() * rows;
  }

  /**
   * One append call's cost inside PostgreSQL, from {@code EXPLAIN (ANALYZE, TIMING OFF, WAL)} of
   * {@value #CALL_SAMPLES} calls on each database, alternating: WAL records and bytes per event (the fewest bytes,
   * as a call that follows a checkpoint also writes whole pages), and the fastest and the median execution time per
   * event (the fastest is the least disturbed by other work on the machine).
   */
  private String callCost(Vertx vertx, BenchDatabase with, BenchDatabase without, int rows) {
    String call = FunctionBenchmark.functionScript(rows).lines().skip(1).findFirst().orElseThrow()
        .replace(":client_id", "0").replaceAll(";$", "");
    Pool withPool = with.target().pool(vertx, 1);
    Pool withoutPool = without.target().pool(vertx, 1);
    try {
      List<JsonObject> withPlans = new ArrayList<>();
      List<JsonObject> withoutPlans = new ArrayList<>();
      for (int sample = 0; sample < CALL_SAMPLES; sample++) {
        withPlans.add(explain(withPool, call));
        withoutPlans.add(explain(withoutPool, call));
      }
      return String.format(Locale.ROOT, "| %d | %.2f / %.2f | %.0f / %.0f | %.4f / %.4f | %.4f / %.4f |", rows,
          fewest(withPlans, "WAL Records", rows), fewest(withoutPlans, "WAL Records", rows),
          fewest(withPlans, "WAL Bytes", rows), fewest(withoutPlans, "WAL Bytes", rows),
          fewest(withPlans, "Execution Time", rows), fewest(withoutPlans, "Execution Time", rows),
          median(perEvent(withPlans, "Execution Time", rows)), median(perEvent(withoutPlans, "Execution Time", rows)));
    } finally {
      withPool.close().await();
      withoutPool.close().await();
    }
  }

  /** The plan's top node's figures, with the execution time (ms) among them. */
  private static JsonObject explain(Pool pool, String call) {
    String statement = call.replace(":n", Long.toString(System.nanoTime()));
    JsonObject result = new JsonArray(pool.query("EXPLAIN (ANALYZE, TIMING OFF, WAL, FORMAT JSON) " + statement)
        .execute().await().iterator().next().getValue(0).toString()).getJsonObject(0);
    return result.getJsonObject("Plan").copy().put("Execution Time", result.getDouble("Execution Time"));
  }

  private static double fewest(List<JsonObject> plans, String figure, int rows) {
    return perEvent(plans, figure, rows).stream().min(Double::compare).orElseThrow();
  }

  private static List<Double> perEvent(List<JsonObject> plans, String figure, int rows) {
    return plans.stream().map(plan -> ((Number) plan.getValue(figure)).doubleValue() / rows).toList();
  }

  private BenchDatabase migrated(Vertx vertx, DatabaseTarget server, boolean withIndex) {
    BenchDatabase database = BenchDatabase.create(vertx, server);
    MigrationPipeline.standard(MigrationSettings.defaults())
        .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
    database.execute("ALTER DATABASE " + database.name() + " SET synchronous_commit = " + synchronousCommit);
    if (!withIndex) {
      database.execute("DROP INDEX " + INDEX);
    }
    return database;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }
}
