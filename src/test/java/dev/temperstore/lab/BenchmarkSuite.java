package dev.temperstore.lab;

import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.internal.config.DurationConverter;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.BenchResult;
import dev.temperstore.service.bench.LoadCommand;
import dev.temperstore.service.bench.LoadOptions;
import dev.temperstore.service.bench.Workload;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The whole table of docs/benchmarks.md#appends-and-reads-through-the-event-bus-beside-pgbench in one run: for each
 * workload and client count, the raw-PostgreSQL baseline (pgbench) and the store through the event bus, on fresh
 * databases of the same server, as ratios.
 *
 * <pre>java -cp target/temper-store.jar dev.temperstore.service.bench.BenchmarkSuite --url
 * postgres://postgres@127.0.0.1:5432/postgres</pre> The store's own settings come from the usual configuration sources
 * (conf/, environment).
 */
@Command(name = "benchmark-suite", mixinStandardHelpOptions = true,
    description = "Store throughput and latency beside pgbench baselines, as a markdown table.")
public final class BenchmarkSuite implements Callable<Integer> {

  private static final int READ_STREAMS = 64;
  private static final int STREAM_LENGTH = 1000;
  private static final int PAGE_SIZE = 100;

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--duration", defaultValue = "15s", description = "Measured time per run (default ${DEFAULT-VALUE})")
  String duration;

  @Option(names = "--warmup", defaultValue = "10s", description = "Unmeasured load before each of our runs (default ${DEFAULT-VALUE})")
  String warmup;

  @Option(names = "--clients", split = ",", defaultValue = "1,8,64", description = "Client counts (default ${DEFAULT-VALUE})")
  List<Integer> clientCounts;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write every result as JSON lines to FILE")
  Path json;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchmarkSuite()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    DurationConverter durations = new DurationConverter();
    Duration measured = durations.convert(duration);
    Duration warm = durations.convert(warmup);
    StoreConfig config = ConfigLoader.load(Optional.empty());
    Vertx vertx = Vertx.vertx();
    List<String> rows = new ArrayList<>();
    List<String> jsonLines = new ArrayList<>();
    try {
      DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
      for (int eventsPerAppend : List.of(1, 10)) {
        for (int clients : clientCounts) {
          PgBench.Result baseline = baseline(vertx, server, PgBench.insertScript(eventsPerAppend), null, clients,
              measured);
          BenchResult ours = LoadCommand.run(vertx, server, config, new LoadOptions(Workload.APPEND, clients,
              measured, 0, warm, eventsPerAppend, PAGE_SIZE, STREAM_LENGTH));
          rows.add(row("append " + eventsPerAppend + " event" + (eventsPerAppend == 1 ? "" : "s"), clients, ours,
              eventsPerAppend == 1 ? "pgbench 1-row INSERT" : "pgbench 10-row INSERT",
              baseline.tps() * eventsPerAppend, baseline.latencyMs()));
          jsonLines.add(ours.toJson().put("baselineRowsPerSecond", baseline.tps() * eventsPerAppend).encode());
        }
      }
      for (int clients : clientCounts) {
        if (clients < 8) {
          continue;
        }
        PgBench.Result baseline = baseline(vertx, server, PgBench.readScript(READ_STREAMS, STREAM_LENGTH, PAGE_SIZE),
            PgBench.fillForReads(READ_STREAMS, STREAM_LENGTH), clients, measured);
        BenchResult ours = LoadCommand.run(vertx, server, config, new LoadOptions(Workload.READ, clients, measured,
            0, warm, 1, PAGE_SIZE, STREAM_LENGTH));
        rows.add(row("read pages of " + PAGE_SIZE, clients, ours, "pgbench SELECT of " + PAGE_SIZE + " rows",
            baseline.tps() * PAGE_SIZE, baseline.latencyMs()));
        jsonLines.add(ours.toJson().put("baselineRowsPerSecond", baseline.tps() * PAGE_SIZE).encode());
      }
    } finally {
      vertx.close().await();
    }
    System.out.println();
    System.out.println("| workload | clients | store events/s | store p50 / p99 ms | baseline | baseline rows/s"
        + " | baseline mean ms | ratio |");
    System.out.println("|---|---:|---:|---:|---|---:|---:|---:|");
    rows.forEach(System.out::println);
    if (json != null) {
      Files.write(json, jsonLines);
    }
    return 0;
  }

  /** One pgbench run on a fresh, migrated database (filled first by {@code fill}, if given). */
  private static PgBench.Result baseline(Vertx vertx, DatabaseTarget server, String script, String fill, int clients,
                                         Duration duration) throws Exception {
    try (BenchDatabase database = BenchDatabase.create(vertx, server)) {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      if (fill != null) {
        database.execute(fill);
      }
      System.err.printf("baseline: pgbench, %d clients, %s%n", clients, script.lines().reduce((a, b) -> b).orElse("")
          .substring(0, 60));
      return PgBench.run(database.target(), script, clients, duration);
    }
  }

  private static String row(String workload, int clients, BenchResult ours, String baseline, double baselineRows,
                            double baselineLatency) {
    return String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f / %.2f | %s | %,.0f | %.2f | %.2f× |", workload,
        clients, ours.eventsPerSecond(), ours.p50(), ours.p99(), baseline, baselineRows, baselineLatency,
        ours.eventsPerSecond() / baselineRows);
  }
}
