package dev.temperstore.lab;

import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.events.EventLimits;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.events.AppendStatements;
import dev.temperstore.internal.events.EncodedAppend;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchClients;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.LoadCommand;
import dev.temperstore.service.bench.BenchPayloads;
import dev.temperstore.service.bench.BenchResult;
import dev.temperstore.service.bench.LoadOptions;
import dev.temperstore.service.bench.Workload;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.StoreSettings;
import dev.temperstore.client.BridgeClient;
import dev.temperstore.client.EventBusTransport;
import dev.temperstore.client.StoreClient;
import dev.temperstore.service.bridge.BridgeOptions;
import dev.temperstore.service.bridge.TcpBridge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's appends and reads layer by layer, at several client counts, on fresh migrated databases of one server,
 * each layer in turn within a round (docs/benchmarks.md, "Layer by layer at 1, 8 and 64 clients"):
 * <ol>
 *   <li>pgbench: the INSERT of n rows, or the SELECT of a page, in its own process (prepared);</li>
 *   <li>the same INSERT (n rows, one VALUES list) or SELECT by a hand-written Vert.x client, prepared;</li>
 *   <li>the store's own lone-append statement ({@link AppendStatements#INSERT}) by the same hand-written client;</li>
 *   <li>the store's event store, {@code PgEventStore}, called in process on its own event loop (its typed checks,
 *       batcher, encoding, statement, reply; no bus, no JSON request);</li>
 *   <li>the store's verticle (the configured instances) and {@code bench}'s load generator (its clients on two
 *       event loops) calling it by {@code StoreClient}, as {@code bench} runs it ({@code LoadCommand.run}): from the
 *       store's own event loops (a Vert.x with as many event loops as instances, so that every calling loop runs
 *       one), where appends and reads are direct calls; the same with every request a message (a client over a
 *       transport of its own); from other event loops (a Vert.x with two loops more than instances; the row says how
 *       many calling loops ran an instance all the same); and through the TCP bridge, its server and client in this
 *       JVM.</li>
 * </ol>
 * Beside each JVM layer: the bytes every thread of the JVM allocated and the CPU time it took in the measured seconds,
 * per operation (an append request or a page read; for the bridge, both its ends).
 * The JVM callers are spread over two event loops as {@code bench}'s are, each loop with its own pool of as many
 * connections as it has callers, at most 8 (the store's default pool per instance). Appends go each to a fresh
 * stream for pgbench and the hand-written INSERT, and to the caller's own growing stream for the store's layers.
 */
@Command(name = "store-layers", mixinStandardHelpOptions = true,
    description = "Appends and reads layer by layer at several client counts, as a markdown table.")
public final class StoreLayers implements Callable<Integer> {

  private static final int LOOPS = 2;
  private static final int READ_STREAMS = 64;
  private static final int STREAM_LENGTH = 1000;
  private static final int PAGE_SIZE = 100;
  private static final String SELECT = "SELECT sequence_nr, event_type, payload, metadata FROM events"
      + " WHERE tenant = 'bench' AND entity_type = 'Order' AND entity_id = $1 AND sequence_nr > $2"
      + " ORDER BY sequence_nr LIMIT " + PAGE_SIZE;
  private static final JsonObject PAYLOAD = new JsonObject(BenchPayloads.PAYLOAD_JSON);

  @Option(names = "--url", required = true, description = "postgres:// URL of a role that may create databases")
  String url;

  @Option(names = "--duration", defaultValue = "10",
      description = "Measured seconds per run (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--warmup", defaultValue = "8",
      description = "Unmeasured seconds before each JVM run (default ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(names = "--rounds", defaultValue = "2", description = "Rounds of all layers (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--append-clients", split = ",", defaultValue = "1,8,64",
      description = "Client counts for 1-event appends (default ${DEFAULT-VALUE})")
  List<Integer> appendClients;

  @Option(names = "--batch-clients", split = ",", defaultValue = "1",
      description = "Client counts for 10-event appends (default ${DEFAULT-VALUE})")
  List<Integer> batchClients;

  @Option(names = "--read-clients", split = ",", defaultValue = "1,8",
      description = "Client counts for reads of 100-event pages (default ${DEFAULT-VALUE})")
  List<Integer> readClients;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreLayers()).execute(args));
  }

  private enum Layer { HAND_INSERT, HAND_STORE_STATEMENT, EVENT_STORE_IN_PROCESS, HAND_SELECT, EVENT_STORE_READ }

  /** How the load generator's clients reach the store's verticle. */
  private enum Via {
    OWN_LOOPS("StoreClient on the store's event loops"),
    OWN_LOOPS_BUS("StoreClient on the store's event loops, over the bus (no direct calls)"),
    OTHER_LOOPS("StoreClient from other event loops"),
    BRIDGE("StoreClient through the TCP bridge");

    final String label;

    Via(String label) {
      this.label = label;
    }
  }

  /** One layer's events per second, p50 ms, bytes allocated and CPU ns per operation, and a remark for its row. */
  private record Figures(double perSecond, double p50, double allocatedPerOperation, double cpuPerOperation,
                         String remark) {
  }

  /** The JVM's allocation and CPU time at the start of a measurement. */
  private record Usage(long allocated, long cpu) {
    static Usage now() {
      return new Usage(((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
          .getTotalThreadAllocatedBytes(),
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime());
    }

    Figures since(double perSecond, double p50, long operations, String remark) {
      Usage end = now();
      double n = Math.max(1, operations);
      return new Figures(perSecond, p50, (end.allocated - allocated) / n, (end.cpu - cpu) / n, remark);
    }
  }

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    StoreConfig config = ConfigLoader.load(Optional.empty());
    DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    List<String> rows = new ArrayList<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        for (int clients : appendClients) {
          appendRows(vertx, server, config, round, clients, 1, rows);
        }
        for (int clients : batchClients) {
          appendRows(vertx, server, config, round, clients, 10, rows);
        }
        for (int clients : readClients) {
          readRows(vertx, server, config, round, clients, rows);
        }
      }
    } finally {
      vertx.close().await();
    }
    System.out.println();
    System.out.println("| round | work | clients | layer | events/s | p50 ms | KiB allocated per operation"
        + " | JVM CPU µs per operation | ratio to the hand-written client |");
    System.out.println("|---:|---|---:|---|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    return 0;
  }

  private void appendRows(Vertx vertx, DatabaseTarget server, StoreConfig config, int round, int clients, int events,
                          List<String> rows) throws Exception {
    String work = events == 1 ? "append 1 event" : "append " + events + " events";
    double pgbench;
    try (BenchDatabase database = migrated(vertx, server)) {
      pgbench = PgBench.run(database.target(), PgBench.insertScript(events), clients, Duration.ofSeconds(seconds),
          "-M", "prepared").tps() * events;
    }
    Figures hand = jvmLayer(vertx, server, Layer.HAND_INSERT, clients, events, null);
    Figures statement = jvmLayer(vertx, server, Layer.HAND_STORE_STATEMENT, clients, events, null);
    Figures inProcess = jvmLayer(vertx, server, Layer.EVENT_STORE_IN_PROCESS, clients, events, null);
    LoadOptions load = new LoadOptions(Workload.APPEND, clients, Duration.ofSeconds(seconds), 0,
        Duration.ofSeconds(warmupSeconds), events, PAGE_SIZE, STREAM_LENGTH);
    rows.add(row(round, work, clients, "pgbench, prepared", pgbenchFigures(pgbench), hand));
    rows.add(row(round, work, clients, "hand-written Vert.x INSERT", hand, hand));
    rows.add(row(round, work, clients, "the store's statement, by hand", statement, hand));
    rows.add(row(round, work, clients, "PgEventStore in process", inProcess, hand));
    for (Via via : Via.values()) {
      rows.add(row(round, work, clients, via.label, storeLayer(server, config, load, via), hand));
    }
  }

  private void readRows(Vertx vertx, DatabaseTarget server, StoreConfig config, int round, int clients,
                        List<String> rows) throws Exception {
    String work = "read pages of " + PAGE_SIZE;
    String fill = PgBench.fillForReads(READ_STREAMS, STREAM_LENGTH);
    double pgbench;
    try (BenchDatabase database = migrated(vertx, server)) {
      database.execute(fill);
      pgbench = PgBench.run(database.target(), PgBench.readScript(READ_STREAMS, STREAM_LENGTH, PAGE_SIZE), clients,
          Duration.ofSeconds(seconds), "-M", "prepared").tps() * PAGE_SIZE;
    }
    Figures hand = jvmLayer(vertx, server, Layer.HAND_SELECT, clients, PAGE_SIZE, fill);
    Figures inProcess = jvmLayer(vertx, server, Layer.EVENT_STORE_READ, clients, PAGE_SIZE, fill);
    LoadOptions load = new LoadOptions(Workload.READ, clients, Duration.ofSeconds(seconds), 0,
        Duration.ofSeconds(warmupSeconds), 1, PAGE_SIZE, STREAM_LENGTH);
    rows.add(row(round, work, clients, "pgbench, prepared", pgbenchFigures(pgbench), hand));
    rows.add(row(round, work, clients, "hand-written Vert.x SELECT", hand, hand));
    rows.add(row(round, work, clients, "PgEventStore in process", inProcess, hand));
    for (Via via : Via.values()) {
      rows.add(row(round, work, clients, via.label, storeLayer(server, config, load, via), hand));
    }
  }

  /** pgbench's rate: its own process, so no latency, allocation or CPU of the JVM's. */
  private static Figures pgbenchFigures(double perSecond) {
    return new Figures(perSecond, Double.NaN, Double.NaN, Double.NaN, "");
  }

  private static String row(int round, String work, int clients, String layer, Figures figures, Figures hand) {
    return String.format(Locale.ROOT, "| %d | %s | %d | %s%s | %,.0f | %s | %s | %s | %.2f× |", round, work,
        clients, layer, figures.remark().isEmpty() ? "" : " (" + figures.remark() + ")", figures.perSecond(),
        decimals(figures.p50(), 1, 2), decimals(figures.allocatedPerOperation(), 1024, 1),
        decimals(figures.cpuPerOperation(), 1000, 0), figures.perSecond() / hand.perSecond());
  }

  private static String decimals(double value, double unit, int places) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%." + places + "f", value / unit);
  }

  /**
   * The store's verticle, the configured instances of it, on a fresh database and a Vert.x of its own, called by
   * {@code bench}'s load generator {@code via} the bus from its own or other event loops, or through the bridge.
   */
  private static Figures storeLayer(DatabaseTarget server, StoreConfig config, LoadOptions load, Via via)
      throws Exception {
    int instances = config.server().instances();
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(via == Via.OWN_LOOPS || via == Via.OWN_LOOPS_BUS ? instances : instances + 2));
    try {
      System.err.printf("%s, %d clients, %s%n", load.workload(), load.clients(), via.label);
      Usage[] atStart = {null};
      StoreSettings[] store = {null};
      BenchClients clients = (on, settings) -> {
        store[0] = settings;
        return clients(via).open(on, settings);
      };
      BenchResult result = LoadCommand.run(vertx, server, config, load, clients, () -> {
        if (load.workload() == Workload.READ) {
          analyzed(vertx, store[0].migration());
        }
        atStart[0] = Usage.now();
      });
      return atStart[0].since(result.eventsPerSecond(), result.p50(), result.operations(),
          via == Via.BRIDGE ? "" : callersOnInstanceLoops(vertx));
    } finally {
      vertx.close().await();
    }
  }

  /**
   * The events table analyzed once {@code bench} has filled it, as the baselines' fill is ({@link PgBench}): reads
   * of a table filled moments ago and not yet analyzed ran at a third of the speed in PostgreSQL (0.44 ms a page
   * against 0.14, {@code track_functions}), until autovacuum or anything else invalidated the connections' plans.
   */
  private static void analyzed(Vertx vertx, DatabaseTarget database) {
    Pool pool = database.pool(vertx, 1);
    try {
      pool.query("ANALYZE events").execute().await();
    } finally {
      pool.close().await();
    }
  }

  /** The client of each way to reach the store. */
  private static BenchClients clients(Via via) {
    return switch (via) {
      case OWN_LOOPS, OTHER_LOOPS -> BenchClients.BUS;
      // a client over a transport of its own knows no Vert.x to look up direct calls in: every request a message
      case OWN_LOOPS_BUS -> (vertx, settings) -> new BenchClients.Opened(new StoreClient(
          new EventBusTransport(vertx, StoreClient.timeoutAbove(settings.requestDeadline())), settings.addresses()),
          () -> { });
      case BRIDGE -> (vertx, settings) -> {
        NetServer listening = TcpBridge.listen(vertx, settings.addresses(), BridgeOptions.loopback(0)).await();
        BridgeClient bridge = BridgeClient.connect(vertx, "127.0.0.1", listening.actualPort(),
                BridgeClient.Options.of(StoreClient.timeoutAbove(settings.requestDeadline())))
            .await().atMost(Duration.ofSeconds(30));
        return new BenchClients.Opened(new StoreClient(bridge, settings.addresses()), bridge::close);
      };
    };
  }

  /**
   * How many of the event loops that called ran an instance of their own: same-loop routing notes every calling
   * loop, and one that runs an instance as adopting itself.
   */
  private static String callersOnInstanceLoops(Vertx vertx) {
    Map<String, String> adoptions = vertx.sharedData().<String, String>getLocalMap("temper-store.adopted-event-loops");
    long own = adoptions.entrySet().stream().filter(adoption -> adoption.getKey().equals(adoption.getValue())).count();
    return own + " of " + adoptions.size() + " calling loops ran an instance";
  }

  private static BenchDatabase migrated(Vertx vertx, DatabaseTarget server) {
    BenchDatabase database = BenchDatabase.create(vertx, server);
    MigrationPipeline.standard(MigrationSettings.defaults())
        .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
    return database;
  }

  /** {@code events} bench events as the store's statements take them: the baselines' payload and metadata. */
  static List<EncodedAppend.Event> encodedEvents(int events) {
    List<EncodedAppend.Event> encoded = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      encoded.add(new EncodedAppend.Event("OrderLineAdded", BenchPayloads.PAYLOAD_JSON, BenchPayloads.METADATA_JSON,
          BenchPayloads.EVENT_ID));
    }
    return List.copyOf(encoded);
  }

  /** An INSERT of {@code events} rows, one VALUES list, $1 the stream and three parameters a row after it. */
  static String handInsertSql(int events) {
    StringBuilder sql = new StringBuilder("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr,"
        + " event_type, payload, metadata) VALUES ");
    for (int i = 0; i < events; i++) {
      int p = 2 + 3 * i;
      sql.append(i == 0 ? "" : ", ").append("('bench', 'Order', $1, ").append(i + 1).append(", $").append(p)
          .append(", $").append(p + 1).append("::jsonb, $").append(p + 2).append("::jsonb)");
    }
    return sql.toString();
  }

  /**
   * Events per second, p50 ms, allocation and CPU of one JVM layer, its callers on {@link #LOOPS} event loops, on a
   * fresh database.
   */
  private Figures jvmLayer(Vertx vertx, DatabaseTarget server, Layer layer, int clients, int events, String fill)
      throws Exception {
    try (BenchDatabase database = migrated(vertx, server)) {
      if (fill != null) {
        database.execute(fill);
      }
      int loops = Math.min(LOOPS, clients);
      List<Driver> drivers = new ArrayList<>();
      List<String> deployments = new ArrayList<>();
      for (int i = 0; i < loops; i++) {
        int callers = clients / loops + (i < clients % loops ? 1 : 0);
        Driver driver = new Driver(database.target(), layer, callers, events, i);
        drivers.add(driver);
        deployments.add(vertx.deployVerticle(driver).await());
      }
      System.err.printf("%s, %d clients, %d events, on %s%n", layer, clients, events, database.name());
      try {
        measure(drivers, warmupSeconds);
        drivers.forEach(driver -> driver.latency.reset());
        Usage atStart = Usage.now();
        long operations = measure(drivers, seconds)[0];
        Figures figures = atStart.since(operations * (double) events / seconds, 0, operations, "");
        org.HdrHistogram.Histogram all = new org.HdrHistogram.Histogram(60_000_000L, 3);
        drivers.forEach(driver -> all.add(driver.latency));
        return new Figures(figures.perSecond(), all.getValueAtPercentile(50) / 1000.0,
            figures.allocatedPerOperation(), figures.cpuPerOperation(), "");
      } finally {
        for (String id : deployments) {
          vertx.undeploy(id).await();
        }
      }
    }
  }

  private static long[] measure(List<Driver> drivers, int seconds) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<CompletableFuture<Long>> runs = drivers.stream().map(driver -> driver.run(end)).toList();
    long total = 0;
    for (CompletableFuture<Long> run : runs) {
      total += run.get();
    }
    return new long[] {total};
  }

  /** {@code callers} closed-loop callers on this verticle's event loop, sharing its pool. */
  private static final class Driver extends VerticleBase {
    private static final AtomicLong STREAMS = new AtomicLong();
    private final DatabaseTarget target;
    private final Layer layer;
    private final int callers;
    private final int events;
    private final int index;
    private final String insert;
    private final List<EncodedAppend.Event> encoded;
    final org.HdrHistogram.Histogram latency = new org.HdrHistogram.Histogram(60_000_000L, 3);
    private Pool pool;
    private PgEventStore store;

    Driver(DatabaseTarget target, Layer layer, int callers, int events, int index) {
      this.target = target;
      this.layer = layer;
      this.callers = callers;
      this.events = events;
      this.index = index;
      this.insert = handInsertSql(events);
      this.encoded = encodedEvents(events);
    }

    @Override
    public Future<?> start() {
      pool = target.pool(vertx, Math.min(callers, 8), Duration.ofSeconds(30));
      store = new PgEventStore(pool, context, EventLimits.defaults());
      return Future.succeededFuture();
    }

    CompletableFuture<Long> run(long end) {
      CompletableFuture<Long> done = new CompletableFuture<>();
      context.runOnContext(ignored -> {
        long[] count = {0};
        int[] running = {callers};
        for (int c = 0; c < callers; c++) {
          Caller caller = new Caller("layers-" + index + "-" + c + "-" + STREAMS.incrementAndGet());
          caller.next(end, () -> {
            count[0] += caller.count;
            if (--running[0] == 0) {
              done.complete(count[0]);
            }
          }, done);
        }
      });
      return done;
    }

    /** One caller: the next call when the previous is answered. */
    private final class Caller {
      private final String stream;
      private long sequence;
      long count;

      Caller(String stream) {
        this.stream = stream;
      }

      void next(long end, Runnable finished, CompletableFuture<Long> done) {
        long started = System.nanoTime();
        if (started - end >= 0) {
          finished.run();
          return;
        }
        call().onComplete(result -> {
          if (result.failed()) {
            done.completeExceptionally(result.cause());
            return;
          }
          latency.recordValue(Math.min((System.nanoTime() - started) / 1000, 60_000_000L));
          count++;
          next(end, finished, done);
        });
      }

      private Future<?> call() {
        return switch (layer) {
          case HAND_INSERT -> {
            Tuple row = Tuple.of(stream + "-" + count);
            for (int i = 0; i < events; i++) {
              row.addString("OrderLineAdded").addString(BenchPayloads.PAYLOAD_JSON)
                  .addString(BenchPayloads.METADATA_JSON);
            }
            yield pool.preparedQuery(insert).execute(row);
          }
          case HAND_STORE_STATEMENT -> {
            AppendStatements.Statement statement = AppendStatements.insert(
                new EncodedAppend(new PersistenceId("bench", "Order", stream), sequence, encoded));
            sequence += events;
            yield pool.preparedQuery(statement.sql()).execute(statement.arguments());
          }
          case EVENT_STORE_IN_PROCESS -> {
            List<NewEvent> batch = new ArrayList<>(events);
            for (int i = 0; i < events; i++) {
              UUID id = UUID.randomUUID();
              batch.add(new NewEvent("OrderLineAdded", PAYLOAD, EventMetadata.root(id, "bench-client-07")));
            }
            long expected = sequence;
            sequence += events;
            yield Reactive.future(store.append(new PersistenceId("bench", "Order", stream), expected, batch),
                context);
          }
          case HAND_SELECT -> pool.preparedQuery(SELECT).execute(Tuple.of(readStream(), readFrom()));
          case EVENT_STORE_READ -> Reactive.future(store.read(new PersistenceId("bench", "Order", readStream()),
              readFrom(), PAGE_SIZE), context);
        };
      }

      private String readStream() {
        return "r-" + (1 + ThreadLocalRandom.current().nextInt(READ_STREAMS));
      }

      private long readFrom() {
        return ThreadLocalRandom.current().nextLong(STREAM_LENGTH - PAGE_SIZE + 1);
      }
    }

    @Override
    public Future<?> stop() {
      return pool.close();
    }
  }
}
