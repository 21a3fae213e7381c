package dev.temperstore.lab;

import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.BenchPayloads;
import dev.temperstore.service.bench.BenchResult;
import dev.temperstore.service.bench.LoadCommand;
import dev.temperstore.service.bench.LoadOptions;
import dev.temperstore.service.bench.Workload;
import dev.temperstore.events.EventLimits;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.tenancy.PersistenceId;
import io.vertx.core.Context;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a one-event append's time goes at one client, layer by layer, each beside pgbench's 1-row INSERT (the
 * suite's baseline) on the same server, in turn, for several rounds:
 * <ol>
 *   <li>the same INSERT through the Vert.x PostgreSQL client, prepared, from the event loop that owns the
 *       connection (what the JVM's client adds to pgbench);</li>
 *   <li>the lone append's function ({@code temper_store_append_one}) the same way (what the function adds), to a
 *       fresh stream each time as pgbench does, and to one growing stream as the store's bench does;</li>
 *   <li>the store's event store itself, {@code PgEventStore.append} called in process on the event loop it was
 *       made on (what the gate, the batcher, the encoding and the reply add to the function, without a bus);</li>
 *   <li>the INSERT behind one event-bus request to a verticle on another event loop (what a bus hop adds: a
 *       thread woken on each side), and from that verticle's own event loop (the same request, no thread woken);</li>
 *   <li>the store itself, {@code bench --workload append --clients 1}: with its default two instances; with one
 *       ({@code temper.server.instances=1}: one event loop and one connection take every append); and with one
 *       in a Vert.x of a single event loop, where the bench's client shares the instance's event loop.</li>
 * </ol>
 * Each JVM layer runs {@code --warmup} unmeasured first; every run has a fresh, migrated database.
 *
 * <pre>java -XX:+UseSerialGC -cp target/temper-store.jar dev.temperstore.service.bench.LoneAppendLayers --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 */
@Command(name = "lone-append-layers", mixinStandardHelpOptions = true,
    description = "A one-event append at one client, layer by layer, beside pgbench's INSERT, as a markdown table.")
public final class LoneAppendLayers implements Callable<Integer> {

  private static final String INSERT = "INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type,"
      + " payload, metadata) VALUES ('bench', 'Order', $1, 1, 'OrderLineAdded', $2::jsonb, $3::jsonb)";
  private static final String LONE = "SELECT outcome, sequence_nr FROM temper_store_append_one('bench', 'Order', $1,"
      + " $5, ARRAY['OrderLineAdded'], ARRAY[$2], ARRAY[$3], ARRAY[$4])";
  private static final String ADDRESS = "lone-append-layers.insert";
  private static final JsonObject PAYLOAD = new JsonObject(BenchPayloads.PAYLOAD_JSON);
  /** The bench's metadata, one event id for all: each append goes to a new stream, so no id repeats in a stream. */
  private static final EventMetadata METADATA = EventMetadata.root(
      java.util.UUID.fromString(BenchPayloads.EVENT_ID), "bench-client-07");

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--duration", defaultValue = "10", description = "Measured seconds per run (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--warmup", defaultValue = "10", description = "Unmeasured seconds before each JVM run (default ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(names = "--rounds", defaultValue = "2", description = "Rounds of all layers (default ${DEFAULT-VALUE})")
  int rounds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoneAppendLayers()).execute(args));
  }

  private enum Layer {
    DIRECT_INSERT, DIRECT_LONE_FUNCTION, DIRECT_LONE_FUNCTION_ONE_STREAM, EVENT_STORE_IN_PROCESS,
    INSERT_BEHIND_BUS_HOP, INSERT_BEHIND_SAME_LOOP_BUS
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    // A Vert.x of one event loop: the bench's client and the store's instance share it, so the client's requests
    // go to the instance without a thread hop (StoreClient's same-loop routing).
    Vertx oneLoop = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    StoreConfig config = ConfigLoader.load(Optional.empty());
    StoreConfig oneInstance = ConfigLoader.fromProperties(Map.of("temper.server.instances", "1"));
    DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    List<String> rows = new ArrayList<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        double pgbench = pgbench(vertx, server);
        rows.add(row(round, "pgbench 1-row INSERT (simple protocol, its own process)", pgbench, Double.NaN, pgbench));
        for (Layer layer : Layer.values()) {
          double[] figures = jvmLayer(vertx, server, layer);
          rows.add(row(round, describe(layer), figures[0], figures[1], pgbench));
        }
        BenchResult store = storeRun(vertx, server, config);
        rows.add(row(round, "the store: bench --workload append --clients 1", store.eventsPerSecond(), store.p50(),
            pgbench));
        BenchResult single = storeRun(vertx, server, oneInstance);
        rows.add(row(round, "the store, one instance (temper.server.instances=1)", single.eventsPerSecond(),
            single.p50(), pgbench));
        BenchResult sameLoop = storeRun(oneLoop, server, oneInstance);
        rows.add(row(round, "the store, one instance, its client on the same event loop (one event loop in all)",
            sameLoop.eventsPerSecond(), sameLoop.p50(), pgbench));
      }
    } finally {
      oneLoop.close().await();
      vertx.close().await();
    }
    System.out.println();
    System.out.println("| round | layer | appends/s | p50 ms | ratio to pgbench |");
    System.out.println("|---:|---|---:|---:|---:|");
    rows.forEach(System.out::println);
    return 0;
  }

  /** The store's own bench, one client appending one event at a time, on a fresh database. */
  private BenchResult storeRun(Vertx vertx, DatabaseTarget server, StoreConfig config) throws Exception {
    return LoadCommand.run(vertx, server, config, new LoadOptions(Workload.APPEND, 1, Duration.ofSeconds(seconds), 0,
        Duration.ofSeconds(warmupSeconds), 1, 100, 1000));
  }

  private static String describe(Layer layer) {
    return switch (layer) {
      case DIRECT_INSERT -> "the INSERT, Vert.x PG client, prepared, on the connection's event loop";
      case DIRECT_LONE_FUNCTION -> "temper_store_append_one, the same way";
      case DIRECT_LONE_FUNCTION_ONE_STREAM -> "temper_store_append_one the same way, every append to one stream";
      case EVENT_STORE_IN_PROCESS -> "the store's EventStore (PgEventStore: gate, batcher, function, reply), called"
          + " in process on its own event loop, no bus";
      case INSERT_BEHIND_BUS_HOP -> "the INSERT behind an event-bus request from another event loop";
      case INSERT_BEHIND_SAME_LOOP_BUS -> "the INSERT behind an event-bus request from the executor's own event loop";
    };
  }

  private static String row(int round, String layer, double perSecond, double p50, double pgbench) {
    return String.format(Locale.ROOT, "| %d | %s | %,.0f | %s | %.2f× |", round, layer, perSecond,
        Double.isNaN(p50) ? "–" : String.format(Locale.ROOT, "%.2f", p50), perSecond / pgbench);
  }

  private double pgbench(Vertx vertx, DatabaseTarget server) throws Exception {
    try (BenchDatabase database = migrated(vertx, server)) {
      return PgBench.run(database.target(), PgBench.insertScript(1), 1, Duration.ofSeconds(seconds)).tps();
    }
  }

  /** Appends per second and p50 ms of one JVM layer, on a fresh database. */
  private double[] jvmLayer(Vertx vertx, DatabaseTarget server, Layer layer) throws Exception {
    try (BenchDatabase database = migrated(vertx, server)) {
      DatabaseTarget target = database.target();
      Duration timeout = Duration.ofSeconds(30);
      List<String> deployments = new ArrayList<>();
      Executor executor = null;
      if (layer == Layer.INSERT_BEHIND_BUS_HOP || layer == Layer.INSERT_BEHIND_SAME_LOOP_BUS) {
        executor = new Executor(target, timeout);
        deployments.add(vertx.deployVerticle(executor).await());
      }
      Driver driver = new Driver(target, timeout, layer);
      deployments.add(vertx.deployVerticle(driver).await());
      if (layer == Layer.INSERT_BEHIND_SAME_LOOP_BUS) {
        driver.runOn(executor.context()); // its requests then never leave the executor's thread
      }
      try {
        driver.measure(Duration.ofSeconds(warmupSeconds)).get(); // unmeasured
        Histogram latency = new Histogram(60_000_000L, 3);
        long ops = driver.measure(Duration.ofSeconds(seconds), latency).get();
        return new double[] {ops / (double) seconds, latency.getValueAtPercentile(50) / 1000.0};
      } finally {
        for (String id : deployments) {
          vertx.undeploy(id).await();
        }
      }
    }
  }

  private static BenchDatabase migrated(Vertx vertx, DatabaseTarget server) {
    BenchDatabase database = BenchDatabase.create(vertx, server);
    MigrationPipeline.standard(MigrationSettings.defaults())
        .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
    return database;
  }

  /** Runs the INSERT for each bus request, on its own event loop and connection. */
  private static final class Executor extends VerticleBase {
    private final DatabaseTarget target;
    private final Duration timeout;
    private Pool pool;

    Executor(DatabaseTarget target, Duration timeout) {
      this.target = target;
      this.timeout = timeout;
    }

    @Override
    public Future<?> start() {
      pool = target.pool(vertx, 1, timeout);
      System.err.println("the INSERT's executor runs on " + Thread.currentThread().getName());
      return vertx.eventBus().<String>consumer(ADDRESS, this::insert).completion();
    }

    Context context() {
      return context;
    }

    private void insert(Message<String> request) {
      pool.preparedQuery(INSERT).execute(Tuple.of(request.body(), BenchPayloads.PAYLOAD_JSON,
          BenchPayloads.METADATA_JSON)).onComplete(done -> {
            if (done.succeeded()) {
              request.reply("ok");
            } else {
              request.fail(500, done.cause().getMessage());
            }
          });
    }

    @Override
    public Future<?> stop() {
      return pool.close();
    }
  }

  /** One client: the next call as soon as the previous is answered, on this verticle's event loop. */
  private static final class Driver extends VerticleBase {
    private final DatabaseTarget target;
    private final Duration timeout;
    private final Layer layer;
    private final AtomicLong sequence = new AtomicLong();
    private Pool pool;
    private Context loop;
    private PgEventStore store;
    /** Events so far in the one stream, touched only on the calling event loop. */
    private long appended;

    Driver(DatabaseTarget target, Duration timeout, Layer layer) {
      this.target = target;
      this.timeout = timeout;
      this.layer = layer;
    }

    @Override
    public Future<?> start() {
      pool = target.pool(vertx, 1, timeout);
      loop = context;
      store = new PgEventStore(pool, context, EventLimits.defaults());
      System.err.println(layer + ": the client runs on " + Thread.currentThread().getName());
      return Future.succeededFuture();
    }

    /** Drives the calls from {@code other} instead of this verticle's own context. */
    void runOn(Context other) {
      loop = other;
      other.runOnContext(ignored -> System.err.println(layer + ": the client runs on "
          + Thread.currentThread().getName()));
    }

    CompletableFuture<Long> measure(Duration duration) {
      return measure(duration, null);
    }

    /** Calls one after another for {@code duration}; the count, with each call's latency in {@code latency}. */
    CompletableFuture<Long> measure(Duration duration, Histogram latency) {
      CompletableFuture<Long> done = new CompletableFuture<>();
      long end = System.nanoTime() + duration.toNanos();
      loop.runOnContext(ignored -> next(end, 0, latency, done));
      return done;
    }

    private void next(long end, long count, Histogram latency, CompletableFuture<Long> done) {
      long started = System.nanoTime();
      if (started - end >= 0) {
        done.complete(count);
        return;
      }
      String id = "layers-" + layer.ordinal() + "-" + sequence.incrementAndGet();
      call(id).onComplete(result -> {
        if (result.failed()) {
          done.completeExceptionally(result.cause());
          return;
        }
        if (latency != null) {
          latency.recordValue((System.nanoTime() - started) / 1000);
        }
        next(end, count + 1, latency, done);
      });
    }

    private Future<?> call(String id) {
      return switch (layer) {
        case DIRECT_INSERT -> pool.preparedQuery(INSERT).execute(Tuple.of(id, BenchPayloads.PAYLOAD_JSON,
            BenchPayloads.METADATA_JSON));
        case DIRECT_LONE_FUNCTION -> pool.preparedQuery(LONE).execute(Tuple.of(id, BenchPayloads.PAYLOAD_JSON,
            BenchPayloads.METADATA_JSON, BenchPayloads.EVENT_ID, 0L));
        case DIRECT_LONE_FUNCTION_ONE_STREAM -> pool.preparedQuery(LONE).execute(Tuple.of("layers-stream",
            BenchPayloads.PAYLOAD_JSON, BenchPayloads.METADATA_JSON, BenchPayloads.EVENT_ID, appended++));
        case EVENT_STORE_IN_PROCESS -> Reactive.future(store.append(new PersistenceId("bench", "Order", id), 0,
            List.of(new NewEvent("OrderLineAdded", PAYLOAD, METADATA))), loop);
        case INSERT_BEHIND_BUS_HOP, INSERT_BEHIND_SAME_LOOP_BUS -> vertx.eventBus().request(ADDRESS, id);
      };
    }

    @Override
    public Future<?> stop() {
      return pool.close();
    }
  }
}
