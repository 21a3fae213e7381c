package dev.temperstore.lab;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPage;
import dev.temperstore.feed.FeedPosition;
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
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Catch-up of the feed: a projection reading a tenant's whole feed from the start through the bus, in pages of
 * {@code --page-size}, beside pgbench reading the same rows in pages of the same size by id range (one client).
 * The rows are written in transactions of {@code --rows-per-transaction}, so the feed's order spans many. The
 * measured catch-up follows {@code --warmup-passes} unmeasured ones, as a long-running store would be warm; the
 * first one's rate is reported beside it.
 *
 * <pre>java -cp target/temper-store.jar dev.temperstore.service.bench.FeedBenchmark --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 */
@Command(name = "feed-benchmark", mixinStandardHelpOptions = true,
    description = "Feed catch-up through the store beside a pgbench range scan of the same rows, as a markdown table.")
public final class FeedBenchmark implements Callable<Integer> {

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--events", defaultValue = "1000000", description = "Events in the feed (default ${DEFAULT-VALUE})")
  int events;

  @Option(names = "--rows-per-transaction", defaultValue = "1000",
      description = "Events written per transaction while filling (default ${DEFAULT-VALUE})")
  int rowsPerTransaction;

  @Option(names = "--page-size", defaultValue = "1000", description = "Events per page (default ${DEFAULT-VALUE})")
  int pageSize;

  @Option(names = "--parse-payloads", description = "Have the reader parse every event's payload, as a projection"
      + " that looks into each one would (the store hands payloads over unparsed)")
  boolean parsePayloads;

  @Option(names = "--warmup-passes", defaultValue = "1", description = "Catch-ups of the whole feed before the"
      + " measured one, so that the JIT compiler is done (on two cores it takes most of one during the first pass)"
      + " (default ${DEFAULT-VALUE})")
  int warmupPasses;

  @Option(names = "--baseline-seconds", defaultValue = "15", description = "pgbench run (default ${DEFAULT-VALUE})")
  int baselineSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FeedBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (BenchDatabase database = BenchDatabase.create(vertx, DatabaseTarget.fromUrl(url, Duration.ofSeconds(10)))) {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      fill(database);
      String store = vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.target()))).await();
      StoreClient client = StoreClient.create(vertx);
      double first = catchUp(client);
      for (int pass = 1; pass < warmupPasses; pass++) {
        catchUp(client);
      }
      double caughtUp = warmupPasses > 0 ? catchUp(client) : first;
      // the store's background work (subscription discovery) stays out of pgbench's run and the database's drop
      vertx.undeploy(store).await();
      PgBench.Result baseline = PgBench.run(database.target(), rangeScript(), 1, Duration.ofSeconds(baselineSeconds),
          "-M", "prepared");
      double pgbenchRows = baseline.tps() * pageSize;
      System.out.println("| events | pages of | first catch-up events/s | store catch-up events/s"
          + " | pgbench range scan rows/s | ratio |");
      System.out.println("|---:|---:|---:|---:|---:|---:|");
      System.out.printf(Locale.ROOT, "| %,d | %d | %,.0f | %,.0f | %,.0f | %.2f× |%n", events, pageSize, first,
          caughtUp, pgbenchRows, caughtUp / pgbenchRows);
    } finally {
      vertx.close().await();
    }
    return 0;
  }

  private void fill(BenchDatabase database) {
    long started = System.nanoTime();
    for (int written = 0; written < events; written += rowsPerTransaction) {
      int rows = Math.min(rowsPerTransaction, events - written);
      database.execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
          + " SELECT 'bench', 'Order', 'o-' || (" + written + " + g) / 10, (" + written + " + g) % 10 + 1,"
          + " 'OrderLineAdded', '" + BenchPayloads.PAYLOAD_JSON + "', '" + BenchPayloads.METADATA_JSON + "'"
          + " FROM generate_series(0, " + (rows - 1) + ") g");
    }
    database.execute("VACUUM ANALYZE events");
    System.err.printf(Locale.ROOT, "filled %,d events in %.1f s%n", events, (System.nanoTime() - started) / 1e9);
  }

  /** Events per second reading the whole feed through the bus, from the start until caught up. */
  private double catchUp(StoreClient client) {
    FeedPosition position = FeedPosition.START;
    long read = 0;
    long started = System.nanoTime();
    while (true) {
      FeedPage page = client.readAll("bench", position, FeedFilter.ALL, pageSize).await().atMost(Duration.ofMinutes(1));
      read += page.events().size();
      if (parsePayloads) {
        page.events().forEach(event -> event.event().payload());
      }
      position = page.next();
      if (!page.hasMore()) {
        break;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (read != events) {
      throw new IllegalStateException("the feed held " + read + " events, not " + events);
    }
    System.err.printf(Locale.ROOT, "caught up on %,d events in %.1f s%n", read, seconds);
    return read / seconds;
  }

  /** A page of the same rows by id range: what reading them costs without the feed's order and horizon. */
  private String rangeScript() {
    return "\\set a random(1, " + Math.max(1, events - pageSize) + ")\n"
        + "SELECT id, entity_type, entity_id, sequence_nr, event_type, payload, metadata FROM events"
        + " WHERE id BETWEEN :a AND :a + " + (pageSize - 1) + ";\n";
  }
}
