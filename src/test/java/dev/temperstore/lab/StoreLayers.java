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
import dev.temperstore.service.bench.BenchStore;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's appends and reads layer by layer, at several client counts, each layer on a fresh migrated database of
 * one server (docs/benchmarks.md, "Layer by layer at 1, 8 and 64 clients"). By default the layers run in turn within
 * a round, each measured once; with {@code --interleave} all the layers of a work are open at once and measured in
 * short slices, in an order shuffled each round, so that what drifts on the machine falls on every layer alike and
 * the medians compare layers measured over the same minutes (runs in turn moved by as much as the gaps they
 * measured):
 * <ol>
 *   <li>pgbench: the INSERT of n rows, or the SELECT of a page, in its own process (prepared);</li>
 *   <li>the same INSERT (n rows, one VALUES list) or SELECT by a hand-written Vert.x client, prepared;</li>
 *   <li>the store's own lone-append statement ({@link AppendStatements#INSERT}) by the same hand-written client;</li>
 *   <li>the store's event store, {@code PgEventStore}, called in process on its own event loop (its typed checks,
 *       batcher, encoding, statement, reply; no bus, no JSON request);</li>
 *   <li>the store's verticle (the configured instances) and {@code bench}'s load generator (its clients on two
 *       event loops) calling it by {@code StoreClient}, as {@code bench} runs it ({@code BenchStore}): from the
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
      description = "Client counts for 1-event appends, 0 for none (default ${DEFAULT-VALUE})")
  List<Integer> appendClients;

  @Option(names = "--batch-clients", split = ",", defaultValue = "1",
      description = "Client counts for 10-event appends, 0 for none (default ${DEFAULT-VALUE})")
  List<Integer> batchClients;

  @Option(names = "--read-clients", split = ",", defaultValue = "1,8",
      description = "Client counts for reads of 100-event pages, 0 for none (default ${DEFAULT-VALUE})")
  List<Integer> readClients;

  @Option(names = "--interleave",
      description = "Open every layer of a work and client count at once and measure them in slices of --duration"
          + " seconds, in an order shuffled each round, after one warm-up of --warmup seconds each; prints each"
          + " round and the medians (default: each layer in turn, on a fresh database, --rounds times)")
  boolean interleave;

  @Option(names = "--slice-warmup", defaultValue = "1",
      description = "With --interleave: unmeasured seconds before each slice, its callers deployed"
          + " (default ${DEFAULT-VALUE})")
  int sliceWarmup;

  @Option(names = "--layers", split = ",",
      description = "Layers to run, hand among them: pgbench, hand, statement, in-process, own-loops, own-loops-bus,"
          + " other-loops, bridge (default: all)")
  Set<String> layers;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreLayers()).execute(args));
  }

  private enum Layer { HAND_INSERT, HAND_STORE_STATEMENT, EVENT_STORE_IN_PROCESS, HAND_SELECT, EVENT_STORE_READ }

  /** How the load generator's clients reach the store's verticle. */
  private enum Via {
    OWN_LOOPS("own-loops", "StoreClient on the store's event loops"),
    OWN_LOOPS_BUS("own-loops-bus", "StoreClient on the store's event loops, over the bus (no direct calls)"),
    OTHER_LOOPS("other-loops", "StoreClient from other event loops"),
    BRIDGE("bridge", "StoreClient through the TCP bridge");

    final String key;
    final String label;

    Via(String key, String label) {
      this.key = key;
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
    if (layers != null && !layers.contains("hand")) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--layers must include hand: every ratio is to the hand-written client");
    }
    Vertx vertx = Vertx.vertx();
    StoreConfig config = ConfigLoader.load(Optional.empty());
    DatabaseTarget server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    List<String> rows = new ArrayList<>();
    List<String> summary = new ArrayList<>();
    try {
      List<Work> works = new ArrayList<>();
      appendClients.removeIf(clients -> clients < 1);
      batchClients.removeIf(clients -> clients < 1);
      readClients.removeIf(clients -> clients < 1);
      appendClients.forEach(clients -> works.add(new Work("append 1 event", clients, 1, null)));
      batchClients.forEach(clients -> works.add(new Work("append 10 events", clients, 10, null)));
      String fill = PgBench.fillForReads(READ_STREAMS, STREAM_LENGTH);
      readClients.forEach(clients -> works.add(new Work("read pages of " + PAGE_SIZE, clients, PAGE_SIZE, fill)));
      if (interleave) {
        for (Work work : works) {
          interleaved(work, specs(vertx, server, config, work), rows, summary);
        }
      } else {
        for (int round = 1; round <= rounds; round++) {
          for (Work work : works) {
            rows.addAll(rowsOf(round, work, inTurn(specs(vertx, server, config, work))));
          }
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
    if (interleave) {
      System.out.println();
      System.out.printf(Locale.ROOT, "Medians of %d rounds of %d-second slices in shuffled order:%n%n", rounds,
          seconds);
      System.out.println("| work | clients | layer | events/s | ratio to the hand-written client | each round's ratio"
          + " | KiB allocated per operation | JVM CPU µs per operation |");
      System.out.println("|---|---:|---|---:|---:|---|---:|---:|");
      summary.forEach(System.out::println);
    }
    return 0;
  }

  /**
   * What one set of layers does: appends of {@code events} events, or reads of pages ({@code fill} the baselines'
   * streams to read, {@code events} the page size).
   */
  private record Work(String name, int clients, int events, String fill) {
    boolean reads() {
      return fill != null;
    }
  }

  /** A layer to open, under its key for --layers and its row's label. */
  private record Spec(String key, String label, Opener opener) {
  }

  @FunctionalInterface
  private interface Opener {
    OpenLayer open() throws Exception;
  }

  /** A layer ready to measure: its database made and filled. */
  private interface OpenLayer extends AutoCloseable {
    /** Figures of {@code seconds} measured after {@code warmup} unmeasured ones, its callers deployed meanwhile. */
    Figures measure(int warmup, int seconds) throws Exception;
  }

  /** The layers of {@code work} that --layers selects, the hand-written client among them. */
  private List<Spec> specs(Vertx vertx, DatabaseTarget server, StoreConfig config, Work work) {
    List<Spec> specs = new ArrayList<>();
    String script = work.reads() ? PgBench.readScript(READ_STREAMS, STREAM_LENGTH, PAGE_SIZE)
        : PgBench.insertScript(work.events());
    specs.add(new Spec("pgbench", "pgbench, prepared", () -> {
      BenchDatabase database = migrated(vertx, server, work.fill());
      return new OpenLayer() {
        @Override
        public Figures measure(int warmup, int measured) throws Exception {
          // no warm-up: a process of its own each time, its rate without its connections' start
          return pgbenchFigures(PgBench.run(database.target(), script, work.clients(), Duration.ofSeconds(measured),
              "-M", "prepared").tps() * work.events());
        }

        @Override
        public void close() {
          database.close();
        }
      };
    }));
    specs.add(driverSpec("hand", work.reads() ? "hand-written Vert.x SELECT" : "hand-written Vert.x INSERT",
        work.reads() ? Layer.HAND_SELECT : Layer.HAND_INSERT, vertx, server, work));
    if (!work.reads()) {
      specs.add(driverSpec("statement", "the store's statement, by hand", Layer.HAND_STORE_STATEMENT, vertx, server,
          work));
    }
    specs.add(driverSpec("in-process", "PgEventStore in process",
        work.reads() ? Layer.EVENT_STORE_READ : Layer.EVENT_STORE_IN_PROCESS, vertx, server, work));
    for (Via via : Via.values()) {
      specs.add(new Spec(via.key, via.label, () -> new StoreLayer(vertx, server, config, work, via)));
    }
    return specs.stream().filter(spec -> layers == null || layers.contains(spec.key())).toList();
  }

  private Spec driverSpec(String key, String label, Layer layer, Vertx vertx, DatabaseTarget server, Work work) {
    return new Spec(key, label, () -> new DriverLayer(vertx, migrated(vertx, server, work.fill()), layer, work));
  }

  /** Each layer in turn on a fresh database: opened, measured once, closed. */
  private Map<Spec, Figures> inTurn(List<Spec> specs) throws Exception {
    Map<Spec, Figures> figures = new LinkedHashMap<>();
    for (Spec spec : specs) {
      try (OpenLayer layer = spec.opener().open()) {
        figures.put(spec, layer.measure(warmupSeconds, seconds));
      }
    }
    return figures;
  }

  /**
   * Every layer opened at once, each warmed up for --warmup seconds, then --rounds rounds of one slice of each, in an
   * order shuffled each round: whatever drifts on the machine meanwhile falls on all layers alike.
   */
  private void interleaved(Work work, List<Spec> specs, List<String> rows, List<String> summary) throws Exception {
    Map<Spec, OpenLayer> opened = new LinkedHashMap<>();
    try {
      for (Spec spec : specs) {
        opened.put(spec, spec.opener().open());
      }
      for (OpenLayer layer : opened.values()) {
        layer.measure(warmupSeconds, 1);
      }
      Random order = new Random(29);
      Map<Spec, List<Figures>> all = new LinkedHashMap<>();
      specs.forEach(spec -> all.put(spec, new ArrayList<>()));
      for (int round = 1; round <= rounds; round++) {
        List<Spec> shuffled = new ArrayList<>(specs);
        Collections.shuffle(shuffled, order);
        for (Spec spec : shuffled) {
          all.get(spec).add(opened.get(spec).measure(sliceWarmup, seconds));
        }
        Map<Spec, Figures> thisRound = new LinkedHashMap<>();
        int index = round - 1;
        all.forEach((spec, list) -> thisRound.put(spec, list.get(index)));
        rows.addAll(rowsOf(round, work, thisRound));
      }
      List<Figures> hand = handOf(all);
      all.forEach((spec, list) -> {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
          ratios.add(list.get(i).perSecond() / hand.get(i).perSecond());
        }
        summary.add(String.format(Locale.ROOT, "| %s | %d | %s | %,.0f | %.2f× | %s | %s | %s |", work.name(),
            work.clients(), spec.label(), median(list.stream().map(Figures::perSecond).toList()), median(ratios),
            String.join(", ", ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList()),
            decimals(median(list.stream().map(Figures::allocatedPerOperation).toList()), 1024, 1),
            decimals(median(list.stream().map(Figures::cpuPerOperation).toList()), 1000, 0)));
      });
    } finally {
      for (OpenLayer layer : opened.values()) {
        layer.close();
      }
    }
  }

  /** The hand-written client's entry of {@code bySpec}: the base of every ratio. */
  private static <T> T handOf(Map<Spec, T> bySpec) {
    return bySpec.entrySet().stream().filter(entry -> entry.getKey().key().equals("hand")).findFirst()
        .orElseThrow().getValue();
  }

  private static List<String> rowsOf(int round, Work work, Map<Spec, Figures> figures) {
    Figures hand = handOf(figures);
    List<String> rows = new ArrayList<>();
    figures.forEach((spec, f) -> rows.add(row(round, work.name(), work.clients(), spec.label(), f, hand)));
    return rows;
  }

  /** The middle value of {@code values}, or the mean of the two middle ones. */
  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
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
   * The store's verticle, the configured instances of it, on a database of its own and, for each measurement, a
   * Vert.x of its own, called by {@code bench}'s load generator {@code via} the bus from its own or other event loops,
   * or through the bridge.
   */
  private static final class StoreLayer implements OpenLayer {
    private final StoreConfig config;
    private final Work work;
    private final Via via;
    private final BenchDatabase database;

    StoreLayer(Vertx vertx, DatabaseTarget server, StoreConfig config, Work work, Via via) {
      this.config = config;
      this.work = work;
      this.via = via;
      this.database = BenchDatabase.create(vertx, server);
    }

    @Override
    public Figures measure(int warmup, int measured) throws Exception {
      int instances = config.server().instances();
      Vertx vertx = Vertx.vertx(new VertxOptions()
          .setEventLoopPoolSize(via == Via.OWN_LOOPS || via == Via.OWN_LOOPS_BUS ? instances : instances + 2));
      LoadOptions load = new LoadOptions(work.reads() ? Workload.READ : Workload.APPEND, work.clients(),
          Duration.ofSeconds(measured), 0, Duration.ofSeconds(warmup), work.reads() ? 1 : work.events(), PAGE_SIZE,
          STREAM_LENGTH);
      try (BenchStore store = BenchStore.start(vertx, database, config, clients(via))) {
        System.err.printf("%s, %d clients, %s%n", load.workload(), load.clients(), via.label);
        Usage[] atStart = {null};
        BenchResult result = store.load(load, () -> {
          if (work.reads()) {
            analyzed(vertx, store.settings().migration());
          }
          atStart[0] = Usage.now();
        });
        return atStart[0].since(result.eventsPerSecond(), result.p50(), result.operations(),
            via == Via.BRIDGE ? "" : callersOnInstanceLoops(vertx));
      } finally {
        vertx.close().await();
      }
    }

    @Override
    public void close() {
      database.close();
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

  /** A fresh database of {@code server}, migrated, and filled by {@code fill} unless it is null. */
  private static BenchDatabase migrated(Vertx vertx, DatabaseTarget server, String fill) {
    BenchDatabase database = BenchDatabase.create(vertx, server);
    MigrationPipeline.standard(MigrationSettings.defaults())
        .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
    if (fill != null) {
      database.execute(fill);
    }
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
   * One JVM layer: events per second, p50 ms, allocation and CPU, its callers on {@link #LOOPS} event loops,
   * deployed for each measurement.
   */
  private static final class DriverLayer implements OpenLayer {
    private final Vertx vertx;
    private final BenchDatabase database;
    private final Layer layer;
    private final Work work;

    DriverLayer(Vertx vertx, BenchDatabase database, Layer layer, Work work) {
      this.vertx = vertx;
      this.database = database;
      this.layer = layer;
      this.work = work;
    }

    @Override
    public Figures measure(int warmup, int measured) throws Exception {
      int loops = Math.min(LOOPS, work.clients());
      List<Driver> drivers = new ArrayList<>();
      List<String> deployments = new ArrayList<>();
      try {
        for (int i = 0; i < loops; i++) {
          int callers = work.clients() / loops + (i < work.clients() % loops ? 1 : 0);
          Driver driver = new Driver(database.target(), layer, callers, work.events(), i);
          drivers.add(driver);
          deployments.add(vertx.deployVerticle(driver).await());
        }
        System.err.printf("%s, %d clients, %d events, on %s%n", layer, work.clients(), work.events(),
            database.name());
        run(drivers, warmup);
        drivers.forEach(driver -> driver.latency.reset());
        Usage atStart = Usage.now();
        long operations = run(drivers, measured);
        Figures figures = atStart.since(operations * (double) work.events() / measured, 0, operations, "");
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

    @Override
    public void close() {
      database.close();
    }
  }

  /** The calls the drivers completed in {@code seconds}. */
  private static long run(List<Driver> drivers, int seconds) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<CompletableFuture<Long>> runs = drivers.stream().map(driver -> driver.run(end)).toList();
    long total = 0;
    for (CompletableFuture<Long> run : runs) {
      total += run.get();
    }
    return total;
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
              UUID id = BenchPayloads.randomId();
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
