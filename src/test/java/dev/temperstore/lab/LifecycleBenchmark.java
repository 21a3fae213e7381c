package dev.temperstore.lab;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.NewEvent;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.lifecycle.RetentionPolicy;
import dev.temperstore.lifecycle.StreamChange;
import dev.temperstore.lifecycle.SweepSettings;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.migration.RuntimeGrants;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.bench.BenchDatabase;
import dev.temperstore.service.bench.BenchPayloads;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the stream lifecycle costs, in three figures, each on a fresh migrated database served by a StoreVerticle
 * through the event bus:
 * <ol>
 *   <li>{@code streams.delete} and {@code streams.truncate} (before the middle) of streams of {@code --events}
 *       events: p50 / p99 latency over {@code --streams} streams each (filled by SQL INSERT as the URL's role, the
 *       sweeper off so that each call runs alone);</li>
 *   <li>1-event appends, 100-event page reads and 100-event feed pages by {@code --clients} clients with
 *       {@code --policies} retention policies on other entity types of the tenant (and one on the type read and
 *       appended, that hides nothing) against none, in alternating phases of one run;</li>
 *   <li>the sweeper's rate: {@code --sweep-streams} deleted streams of {@code --events} events removed by
 *       {@code temper_store_sweep} called in a loop on one connection until nothing is left.</li>
 * </ol>
 * The store serves (and the sweep runs) as a fresh non-owner role with exactly what {@code grant --role} gives, so
 * that row-level security applies as in a deployment; {@code --serve-as-owner} serves as the URL's role instead.
 *
 * <pre>docs/lab.sh LifecycleBenchmark --url postgres://postgres@127.0.0.1:5432/postgres</pre>
 * The URL's role must be able to create databases and roles.
 */
@Command(name = "lifecycle-benchmark", mixinStandardHelpOptions = true,
    description = "Delete and truncate latency, reads and appends under retention policies, and the sweeper's rate,"
        + " as markdown tables.")
public final class LifecycleBenchmark implements Callable<Integer> {

  private static final String TENANT = "bench";
  /** The entity type every measured stream has; the policies of figure 2 are on other types, but for one. */
  private static final String TYPE = "Order";
  private static final String ACTOR = "lifecycle-benchmark";
  private static final int PAGE_SIZE = 100;
  private static final int READ_STREAMS = 64;
  private static final int READ_STREAM_LENGTH = 1000;
  /** The policy on the type read and appended in figure 2: far above any stream's length, so it hides nothing. */
  private static final long HARMLESS_MAX_COUNT = 1_000_000;
  /** Policy changes sent at once: well below the store's in-flight bound, with the clients' load beside them. */
  private static final int POLICY_CHUNK = 100;
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(1);
  private static final JsonObject PAYLOAD = new JsonObject(BenchPayloads.PAYLOAD_JSON);

  @Option(names = "--url", required = true,
      description = "postgres:// URL of a role that may create databases and roles")
  String url;

  @Option(names = "--figures", split = ",", defaultValue = "1,2,3",
      description = "Which figures to measure (default ${DEFAULT-VALUE})")
  List<Integer> figures;

  @Option(names = "--events", defaultValue = "10000",
      description = "Events per deleted or truncated stream, figures 1 and 3 (default ${DEFAULT-VALUE})")
  int events;

  @Option(names = "--streams", defaultValue = "50",
      description = "Streams deleted, and as many truncated, figure 1 (default ${DEFAULT-VALUE})")
  int streams;

  @Option(names = "--warmup-streams", defaultValue = "3",
      description = "Unmeasured deletes and truncates before those, figure 1 (default ${DEFAULT-VALUE})")
  int warmupStreams;

  @Option(names = "--policies", defaultValue = "1000",
      description = "Retention policies on other entity types, figure 2 (default ${DEFAULT-VALUE})")
  int policies;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients, figure 2 (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--round-seconds", defaultValue = "10",
      description = "Seconds of each phase, figure 2 (default ${DEFAULT-VALUE})")
  int roundSeconds;

  @Option(names = "--rounds", defaultValue = "5",
      description = "Rounds of one phase with policies and one without, figure 2 (default ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--warmup", defaultValue = "10",
      description = "Seconds of unmeasured load before each workload's rounds, figure 2 (default ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(names = "--sweep-streams", defaultValue = "20",
      description = "Streams deleted before the sweep, figure 3 (default ${DEFAULT-VALUE})")
  int sweepStreams;

  @Option(names = "--sweep-batch", defaultValue = "1000",
      description = "temper_store_sweep's p_limit, figure 3 (default ${DEFAULT-VALUE}, the store's default)")
  int sweepBatch;

  @Option(names = "--serve-as-owner", description = "Serve and sweep as the URL's role, as the other lab programs"
      + " do, instead of a fresh non-owner role (row-level security then does not apply)")
  boolean serveAsOwner;

  @Spec
  CommandSpec spec;

  private Vertx vertx;
  private DatabaseTarget server;
  /** The non-owner role the store serves as, null when it serves as the URL's role. */
  private String servingRole;
  private final String servingPassword = UUID.randomUUID().toString().replace("-", "");
  /** Figure 2: whether the tenant holds the policies now. */
  private boolean policiesSet;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LifecycleBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    vertx = Vertx.vertx();
    server = DatabaseTarget.fromUrl(url, Duration.ofSeconds(10));
    System.out.println("command: docs/lab.sh LifecycleBenchmark " + commandLine());
    try {
      if (!serveAsOwner) {
        servingRole = createServingRole();
      }
      if (figures.contains(1)) {
        changeLatencies();
      }
      if (figures.contains(2)) {
        policyCost();
      }
      if (figures.contains(3)) {
        sweepRate();
      }
    } finally {
      if (servingRole != null) {
        execute(server, "DROP ROLE IF EXISTS " + servingRole);
      }
      vertx.close().await();
    }
    return 0;
  }

  // ---- Figure 1: delete and truncate latency ---------------------------------------------------------------

  private void changeLatencies() {
    long before = events / 2 + 1;
    Histogram deletes = new Histogram(3);
    Histogram truncates = new Histogram(3);
    try (BenchDatabase database = database()) {
      // The sweeper off: it would otherwise remove the previous streams' rows during the next timed call.
      String store = deployStore(database, new SweepSettings(Duration.ZERO, SweepSettings.defaults().batch()));
      StoreClient client = StoreClient.create(vertx);
      for (int i = -warmupStreams; i < streams; i++) {
        // Interleaved, so that a drift of the machine's load during the run touches both alike.
        PersistenceId deleted = stream("delete-" + i);
        fill(database, deleted.entityId(), events);
        long deleteMicros = timeChange(() -> client.delete(deleted, OptionalLong.empty(), ACTOR), events);
        PersistenceId truncated = stream("truncate-" + i);
        fill(database, truncated.entityId(), events);
        long truncateMicros = timeChange(() -> client.truncate(truncated, before, OptionalLong.empty(), ACTOR),
            before - 1);
        if (i >= 0) {
          deletes.recordValue(deleteMicros);
          truncates.recordValue(truncateMicros);
        }
      }
      vertx.undeploy(store).await();
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "### streams.delete and streams.truncate of %,d-event streams (through the bus,"
        + " sweeper off; streams filled by SQL INSERT as the URL's role; %d unmeasured of each first)%n%n", events,
        warmupStreams);
    System.out.println("| operation | streams | events per stream | events hidden per call | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    System.out.println(latencyRow("streams.delete", deletes, events));
    System.out.println(latencyRow(String.format(Locale.ROOT, "streams.truncate before %,d", before), truncates,
        before - 1));
  }

  /** Microseconds from the request to the reply; fails unless the change hid {@code expected} events. */
  private static long timeChange(Supplier<Uni<StreamChange>> change, long expected) {
    long started = System.nanoTime();
    StreamChange result = change.get().await().atMost(CALL_TIMEOUT);
    long micros = (System.nanoTime() - started) / 1000;
    if (!result.changed() || result.events() != expected) {
      throw new IllegalStateException("expected " + expected + " events hidden, got " + result);
    }
    return micros;
  }

  private String latencyRow(String operation, Histogram latencies, long hidden) {
    return String.format(Locale.ROOT, "| %s | %d | %,d | %,d | %.2f | %.2f | %.2f |", operation,
        latencies.getTotalCount(), events, hidden, latencies.getValueAtPercentile(50) / 1000.0,
        latencies.getValueAtPercentile(99) / 1000.0, latencies.getMaxValue() / 1000.0);
  }

  // ---- Figure 2: reads and appends with retention policies against none ------------------------------------

  private void policyCost() throws InterruptedException {
    List<String> rows = new ArrayList<>();
    try (BenchDatabase database = database()) {
      for (int i = 0; i < READ_STREAMS; i++) {
        fill(database, "read-" + i, READ_STREAM_LENGTH);
      }
      database.execute("VACUUM ANALYZE events");
      // The sweeper on, as in a deployment: walking the policies is part of what they cost.
      String store = deployStore(database, SweepSettings.defaults());
      StoreClient client = StoreClient.create(vertx);
      policiesSet = false;
      rows.add(alternate(client, "append 1 event", i -> new Appender(client, i), false));
      rows.add(alternate(client, "events.read, pages of " + PAGE_SIZE, i -> new Reader(client), true));
      rows.add(alternate(client, "events.read-all, pages of " + PAGE_SIZE, i -> new FeedReader(client), false));
      vertx.undeploy(store).await();
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "### %,d retention policies on other entity types of the tenant, plus one on the"
        + " type read and appended (maxCount %,d, hides nothing), against none: %d clients, %d rounds of a %d s phase"
        + " of each (which goes first alternates), after %d s of warm-up per workload%n%n", policies,
        HARMLESS_MAX_COUNT, clients, rounds, roundSeconds, warmupSeconds);
    System.out.println("| workload | clients | policies, median ops/s | none, median ops/s | ratio of medians"
        + " | ratio per round: median (lowest, highest) | errors | short pages |");
    System.out.println("|---|---:|---:|---:|---:|---|---:|---:|");
    rows.forEach(System.out::println);
  }

  /**
   * One table row: the workload's load runs throughout, while the phases with and without the policies take
   * turns; each round compares two phases seconds apart, so a drift of the machine's load favours neither.
   */
  private String alternate(StoreClient client, String workload, IntFunction<Supplier<Uni<?>>> operations,
                           boolean countShortPages) throws InterruptedException {
    ClosedLoop load = new ClosedLoop(operations);
    TimeUnit.SECONDS.sleep(warmupSeconds);
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    long shortPagesBefore = Reader.SHORT_PAGES.sum();
    for (int round = 0; round < rounds; round++) {
      boolean policiesFirst = round % 2 == 0;
      double first = phase(client, load, workload, policiesFirst);
      double second = phase(client, load, workload, !policiesFirst);
      double withRate = policiesFirst ? first : second;
      double withoutRate = policiesFirst ? second : first;
      with.add(withRate);
      without.add(withoutRate);
      ratios.add(withRate / withoutRate);
    }
    load.stop();
    long shortPages = Reader.SHORT_PAGES.sum() - shortPagesBefore;
    return String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.3f× | %.3f× (%.3f, %.3f) | %d | %s |", workload,
        clients, median(with), median(without), median(with) / median(without), median(ratios),
        ratios.stream().min(Double::compare).orElseThrow(), ratios.stream().max(Double::compare).orElseThrow(),
        load.failed.sum(), countShortPages ? Long.toString(shortPages) : "–");
  }

  /** Operations per second over one phase, after setting or clearing the policies (not timed). */
  private double phase(StoreClient client, ClosedLoop load, String workload, boolean withPolicies)
      throws InterruptedException {
    if (withPolicies != policiesSet) {
      long started = System.nanoTime();
      if (withPolicies) {
        setPolicies(client);
      } else {
        clearPolicies(client);
      }
      policiesSet = withPolicies;
      System.err.printf(Locale.ROOT, "%s %,d policies in %.1f s%n", withPolicies ? "set" : "cleared", policies + 1,
          (System.nanoTime() - started) / 1e9);
    }
    long completedBefore = load.completed.sum();
    long started = System.nanoTime();
    TimeUnit.SECONDS.sleep(roundSeconds);
    double rate = (load.completed.sum() - completedBefore) / ((System.nanoTime() - started) / 1e9);
    System.err.printf(Locale.ROOT, "%s, %s: %,.0f ops/s%n", workload, withPolicies ? "policies" : "none", rate);
    return rate;
  }

  private void setPolicies(StoreClient client) {
    List<Supplier<Uni<?>>> changes = new ArrayList<>();
    changes.add(() -> client.setRetention(TENANT,
        new RetentionPolicy(TYPE, Optional.empty(), OptionalLong.of(HARMLESS_MAX_COUNT)), ACTOR));
    for (int i = 0; i < policies; i++) {
      RetentionPolicy policy = new RetentionPolicy(otherType(i), Optional.of(Duration.ofDays(30)),
          OptionalLong.of(1000));
      changes.add(() -> client.setRetention(TENANT, policy, ACTOR));
    }
    inChunks(changes);
    expectPolicies(client, policies + 1);
  }

  private void clearPolicies(StoreClient client) {
    List<Supplier<Uni<?>>> changes = new ArrayList<>();
    changes.add(() -> client.clearRetention(TENANT, TYPE, ACTOR));
    for (int i = 0; i < policies; i++) {
      String type = otherType(i);
      changes.add(() -> client.clearRetention(TENANT, type, ACTOR));
    }
    inChunks(changes);
    expectPolicies(client, 0);
  }

  private static String otherType(int i) {
    return String.format(Locale.ROOT, "Other%05d", i);
  }

  private static void inChunks(List<Supplier<Uni<?>>> requests) {
    for (int start = 0; start < requests.size(); start += POLICY_CHUNK) {
      List<Uni<Void>> chunk = requests.subList(start, Math.min(requests.size(), start + POLICY_CHUNK)).stream()
          .map(request -> request.get().replaceWithVoid()).toList();
      Uni.join().all(chunk).andFailFast().await().atMost(CALL_TIMEOUT);
    }
  }

  private static void expectPolicies(StoreClient client, int expected) {
    int actual = client.retention(TENANT).await().atMost(CALL_TIMEOUT).size();
    if (actual != expected) {
      throw new IllegalStateException("the tenant holds " + actual + " policies, not " + expected);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  /** One client appending 1 event at a time to a stream of its own. */
  private static final class Appender implements Supplier<Uni<?>> {
    private final StoreClient client;
    private final PersistenceId stream;
    private long head;

    Appender(StoreClient client, int index) {
      this.client = client;
      this.stream = stream("append-" + index);
    }

    @Override
    public Uni<?> get() {
      UUID id = UUID.randomUUID();
      NewEvent event = new NewEvent("OrderLineAdded", PAYLOAD, new EventMetadata(id, id, id, Instant.now(), ACTOR));
      return client.append(stream, head, List.of(event))
          .invoke(last -> head = last)
          .onFailure(ConcurrencyConflict.class).invoke(conflict -> head = ((ConcurrencyConflict) conflict).actual());
    }
  }

  /** One client reading a page of a random filled stream from a random position. */
  private static final class Reader implements Supplier<Uni<?>> {
    /** Pages with fewer events than asked: none unless a policy hides events it should not. */
    static final LongAdder SHORT_PAGES = new LongAdder();
    private final StoreClient client;

    Reader(StoreClient client) {
      this.client = client;
    }

    @Override
    public Uni<?> get() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      PersistenceId stream = stream("read-" + random.nextInt(READ_STREAMS));
      long from = random.nextLong(READ_STREAM_LENGTH - PAGE_SIZE + 1);
      return client.read(stream, from, PAGE_SIZE).map(EventPage::events).invoke(page -> {
        if (page.size() < PAGE_SIZE) {
          SHORT_PAGES.increment();
        }
      });
    }
  }

  /** One client paging through the tenant's feed from the start, and from the start again once caught up. */
  private static final class FeedReader implements Supplier<Uni<?>> {
    private final StoreClient client;
    private FeedPosition position = FeedPosition.START;

    FeedReader(StoreClient client) {
      this.client = client;
    }

    @Override
    public Uni<?> get() {
      return client.readAll(TENANT, position, FeedFilter.ALL, PAGE_SIZE)
          .invoke(page -> position = page.hasMore() ? page.next() : FeedPosition.START);
    }
  }

  /**
   * Closed-loop clients: each sends its next request as soon as the previous one is answered, failed or not.
   * They run on two contexts of their own, apart from the store's.
   */
  private final class ClosedLoop {
    final LongAdder completed = new LongAdder();
    final LongAdder failed = new LongAdder();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(clients);
    private volatile boolean stopping;

    ClosedLoop(IntFunction<Supplier<Uni<?>>> operations) {
      List<Context> contexts = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext());
      for (int i = 0; i < clients; i++) {
        Supplier<Uni<?>> operation = operations.apply(i);
        contexts.get(i % contexts.size()).runOnContext(ignored -> next(operation));
      }
    }

    private void next(Supplier<Uni<?>> operation) {
      if (stopping) {
        finished.countDown();
        return;
      }
      operation.get().subscribe().with(
          ignored -> {
            completed.increment();
            next(operation);
          },
          failure -> {
            failed.increment();
            if (firstFailure.compareAndSet(null, failure)) {
              System.err.println("first failure: " + failure);
            }
            next(operation);
          });
    }

    void stop() throws InterruptedException {
      stopping = true;
      if (!finished.await(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException("clients still waiting for replies a minute after the end");
      }
    }
  }

  // ---- Figure 3: the sweeper's rate ------------------------------------------------------------------------

  private void sweepRate() {
    String row;
    try (BenchDatabase database = database()) {
      String store = deployStore(database, new SweepSettings(Duration.ZERO, SweepSettings.defaults().batch()));
      StoreClient client = StoreClient.create(vertx);
      for (int i = 0; i < sweepStreams; i++) {
        PersistenceId stream = stream("sweep-" + i);
        fill(database, stream.entityId(), events);
        timeChange(() -> client.delete(stream, OptionalLong.empty(), ACTOR), events);
      }
      // Nothing of the store's runs beside the sweep: its own sweeper is off, and the rest is idle anyway.
      vertx.undeploy(store).await();
      row = sweep(database);
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "### The sweeper's rate: %d deleted streams of %,d events, `SELECT * FROM"
        + " temper_store_sweep(%d)` in a loop on one connection as %s, until nothing is queued and a round removes"
        + " nothing%n%n", sweepStreams, events, sweepBatch, servingRole == null ? "the URL's role" : "the serving role");
    System.out.println("| streams | events each | before: streams queued / rows in events | rounds | events removed"
        + " | snapshots removed | seconds | events removed/s | ms per round | after: streams queued / rows in events |");
    System.out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|");
    System.out.println(row);
  }

  /** Sweeps the whole backlog, round after round; one table row. */
  private String sweep(BenchDatabase database) {
    String before = backlog(database);
    Pool pool = serving(database).pool(vertx, 1);
    try {
      SqlConnection connection = pool.getConnection().await();
      long rounds = 0;
      long eventsRemoved = 0;
      long snapshotsRemoved = 0;
      long started = System.nanoTime();
      while (true) {
        Row result = connection.preparedQuery("SELECT swept, events_removed, snapshots_removed, streams_queued"
            + " FROM temper_store_sweep($1)").execute(Tuple.of(sweepBatch)).await().iterator().next();
        rounds++;
        if (!result.getBoolean("swept")) {
          throw new IllegalStateException("another sweeper holds the lock on " + database.name());
        }
        eventsRemoved += result.getLong("events_removed");
        snapshotsRemoved += result.getLong("snapshots_removed");
        if (result.getLong("streams_queued") == 0 && result.getLong("events_removed") == 0) {
          break;
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      connection.close().await();
      return String.format(Locale.ROOT, "| %d | %,d | %s | %,d | %,d | %,d | %.2f | %,.0f | %.2f | %s |",
          sweepStreams, events, before, rounds, eventsRemoved, snapshotsRemoved, seconds, eventsRemoved / seconds,
          seconds * 1000 / rounds, backlog(database));
    } finally {
      pool.close().await();
    }
  }

  /** Streams the sweeper has queued, and the rows of events, as the URL's role sees them (every tenant). */
  private String backlog(BenchDatabase database) {
    Pool pool = database.target().pool(vertx, 1);
    try {
      Row row = pool.query("SELECT (SELECT count(*) FROM temper_store_sweep_queue WHERE kind = 'stream'),"
          + " (SELECT count(*) FROM events)").execute().await().iterator().next();
      return String.format(Locale.ROOT, "%,d / %,d", row.getLong(0), row.getLong(1));
    } finally {
      pool.close().await();
    }
  }

  // ---- Databases, roles, the store -------------------------------------------------------------------------

  /** A fresh database migrated by the URL's role (its owner), with the serving role granted what it needs. */
  private BenchDatabase database() {
    BenchDatabase database = BenchDatabase.create(vertx, server);
    try {
      MigrationPipeline.standard(MigrationSettings.defaults())
          .run(vertx, database.target(), MigrationListener.NONE).await().atMost(Duration.ofMinutes(1));
      if (servingRole != null) {
        database.execute(RuntimeGrants.script(database.name(), server.options().getUser(), servingRole));
      }
      return database;
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** A role as {@code grant --role} expects one: it may log in, and bypasses no policy. */
  private String createServingRole() {
    String role = "temper_lab_serving_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    execute(server, "CREATE ROLE " + role + " LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '" + servingPassword + "'");
    return role;
  }

  private DatabaseTarget serving(BenchDatabase database) {
    DatabaseTarget owner = database.target();
    if (servingRole == null) {
      return owner;
    }
    return new DatabaseTarget(new PgConnectOptions(owner.options()).setUser(servingRole)
        .setPassword(servingPassword), owner.connectTimeout());
  }

  /** Deploys one store instance, migrating as the owner and serving as the serving role; its deployment id. */
  private String deployStore(BenchDatabase database, SweepSettings sweep) {
    StoreSettings settings = StoreSettings.defaults(database.target()).withServing(serving(database))
        .withSweep(sweep);
    return vertx.deployVerticle(new StoreVerticle(settings)).await();
  }

  /** Writes events 1 to {@code count} of one stream of {@link #TYPE} in one INSERT, as the URL's role. */
  private static void fill(BenchDatabase database, String entityId, int count) {
    database.execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
        + " SELECT '" + TENANT + "', '" + TYPE + "', '" + entityId + "', g, 'OrderLineAdded', '"
        + BenchPayloads.PAYLOAD_JSON + "', '" + BenchPayloads.METADATA_JSON + "' FROM generate_series(1, " + count
        + ") g");
  }

  private static PersistenceId stream(String entityId) {
    return new PersistenceId(TENANT, TYPE, entityId);
  }

  private void execute(DatabaseTarget target, String sql) {
    Pool pool = target.pool(vertx, 1);
    try {
      pool.query(sql).execute().await();
    } finally {
      pool.close().await();
    }
  }

  /** This run's arguments, as typed but for a password in the URL. */
  private String commandLine() {
    return spec.commandLine().getParseResult().originalArgs().stream()
        .map(arg -> arg.replaceAll("(://[^:/@]+):[^@]*@", "$1:***@"))
        .map(arg -> arg.isEmpty() || arg.matches(".*[\\s'\"$`\\\\].*") ? "'" + arg.replace("'", "'\\''") + "'" : arg)
        .collect(Collectors.joining(" "));
  }
}
