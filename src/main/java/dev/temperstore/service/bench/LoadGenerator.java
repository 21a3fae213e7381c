package dev.temperstore.service.bench;

import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.StoreException;
import dev.temperstore.events.EventPage;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop load through the event bus: {@code clients} reactive clients, each sending its next request as soon
 * as the previous one is answered, spread over the event loops. Latency is recorded in an HdrHistogram from
 * request to reply; a progress line is printed every second.
 */
public final class LoadGenerator {

  /** Event loops the clients are spread over. */
  static final int CALLING_LOOPS = 2;

  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(5);
  /** Secret names per client tenant: half the default budget, so puts after the first round replace. */
  private static final int SECRET_NAMES = 50;
  private static final String SECRET_VALUE = "s".repeat(64);
  private static final String PROBE_TYPE = "Probe";
  /** The tenant of the bench's streams, and of its subscription in a subscribe run. */
  private static final String TENANT = "bench";
  /** In an alternating subscribe run, the tenant that takes the appends of the phases without a subscription. */
  private static final String QUIET_TENANT = "bench-unsubscribed";

  private final Vertx vertx;
  private final StoreClient client;
  private final LoadOptions options;
  private final PrintStream progress;
  /** Told when the warm-up ends and the measurement starts. */
  private final Runnable measurementStarts;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);

  private final Recorder recorder = new Recorder(MAX_LATENCY_MICROS, 3);
  private final LongAdder operations = new LongAdder();
  private final LongAdder events = new LongAdder();
  private final Map<Integer, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicBoolean measuring = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicLong issued = new AtomicLong();
  // The subscribe workload: what was acknowledged to appenders, what the subscription delivered, and how late.
  // Client i's stream is the ledger's stream i; the probe's is one past the clients'.
  private final DeliveryLedger ledger;
  private final int probeStream;
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder deliveredMeasured = new LongAdder();
  private final Recorder deliveryLatency = new Recorder(MAX_LATENCY_MICROS, 3);
  /** Null unless the run alternates phases with and without the subscription. */
  private final AlternatingPhases phases;

  public LoadGenerator(Vertx vertx, StoreClient client, LoadOptions options, PrintStream progress) {
    this(vertx, client, options, progress, () -> { });
  }

  /** {@code measurementStarts} runs when the warm-up is over, before the first measured second. */
  public LoadGenerator(Vertx vertx, StoreClient client, LoadOptions options, PrintStream progress,
                       Runnable measurementStarts) {
    this.measurementStarts = measurementStarts;
    this.vertx = vertx;
    this.client = client;
    this.options = options;
    this.progress = progress;
    this.probeStream = options.clients();
    this.ledger = new DeliveryLedger(options.clients() + 1);
    this.phases = options.alternating() ? new AlternatingPhases(options.alternate()) : null;
  }

  /** Runs the load and blocks until it is over; call from a thread that is not an event loop. */
  public BenchResult run() throws InterruptedException {
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < options.clients(); i++) {
      clients.add(new Client(i));
    }
    if (options.workload() == Workload.READ || options.workload() == Workload.MIXED) {
      progress.printf("filling %d streams with %d events each%n", clients.size(), options.streamLength());
      Uni.join().all(clients.stream().map(Client::fill).toList()).andFailFast().await().indefinitely();
    }
    if (options.workload() == Workload.SECRET_GET) {
      progress.printf("filling %d tenants with %d secrets each%n", clients.size(), SECRET_NAMES);
      Uni.join().all(clients.stream().map(Client::fillSecrets).toList()).andFailFast().await().indefinitely();
    }
    io.smallrye.mutiny.subscription.Cancellable consumer = options.workload() == Workload.SUBSCRIBE
        ? subscribe() : null;
    CountDownLatch finished = new CountDownLatch(clients.size());
    List<Context> contexts = new java.util.concurrent.CopyOnWriteArrayList<>();
    String callers = callingLoops(contexts);
    for (Client c : clients) {
      contexts.get(c.index % contexts.size()).runOnContext(ignored -> c.next(finished));
    }
    if (!options.warmup().isZero()) {
      progress.printf("warming up for %d s%n", options.warmup().toSeconds());
      sleepUntil(System.nanoTime() + options.warmup().toNanos()); // the load runs on the event loops meanwhile
    }
    recorder.reset();
    operations.reset();
    events.reset();
    errors.clear();
    issued.set(0);
    deliveredMeasured.reset();
    deliveryLatency.reset();
    measuring.set(true);
    measurementStarts.run();
    Histogram total = new Histogram(MAX_LATENCY_MICROS, 3);
    long started = System.nanoTime();
    if (phases != null) {
      phases.startMeasuring(started);
    }
    long deadline = started + options.duration().toNanos();
    while (!done(deadline)) {
      long second = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      sleepUntil(options.requests() > 0 ? second : Math.min(second, deadline)); // --requests: no deadline
      Histogram interval = recorder.getIntervalHistogram();
      total.add(interval);
      printProgress(started, interval, total);
    }
    stopping.set(true);
    long stopped = System.nanoTime();
    if (phases != null) {
      phases.stopMeasuring(stopped);
    }
    double seconds = (stopped - started) / 1e9;
    long measuredOperations = operations.sum();
    long measuredEvents = events.sum();
    if (!finished.await(2, TimeUnit.MINUTES)) {
      progress.println("some requests were still unanswered two minutes after the end");
    }
    vertx.undeploy(callers).await();
    total.add(recorder.getIntervalHistogram());
    Map<Integer, Long> errorCounts = new java.util.TreeMap<>();
    errors.forEach((code, count) -> errorCounts.put(code, count.sum()));
    BenchResult result = BenchResult.of(options, seconds, measuredOperations, measuredEvents, total, errorCounts);
    if (consumer == null) {
      return result;
    }
    double deliveredPerSecond = deliveredMeasured.sum() / seconds;
    Histogram latency = deliveryLatency.getIntervalHistogram();
    long missing = awaitDelivery(consumer);
    Optional<AlternatingPhases.Figures> alternation = Optional.ofNullable(phases).map(AlternatingPhases::figures);
    return result.withDelivery(new DeliveryFigures(
        alternation.map(AlternatingPhases.Figures::with).orElse(measuredOperations / seconds), deliveredPerSecond,
        missing, duplicates.sum(), latency.getValueAtPercentile(50) / 1000.0,
        latency.getValueAtPercentile(99) / 1000.0, alternation));
  }

  /**
   * Deploys a verticle of {@link #CALLING_LOOPS} instances, each on an event loop of its own, whose contexts the
   * clients run on, spread as an application's callers are: a thread outside Vert.x gets one context whatever it
   * asks, so asking twice would put every client on one event loop. Returns the deployment, undeployed at the end.
   */
  private String callingLoops(List<Context> contexts) {
    return vertx.deployVerticle(() -> new io.vertx.core.VerticleBase() {
      @Override
      public io.vertx.core.Future<?> start() {
        contexts.add(context);
        return io.vertx.core.Future.succeededFuture();
      }
    }, new io.vertx.core.DeploymentOptions().setInstances(CALLING_LOOPS)).await();
  }

  /** Sleeps until {@code nanoTime}, turning the phases of an alternating run on time meanwhile. */
  private void sleepUntil(long nanoTime) throws InterruptedException {
    long now;
    while ((now = System.nanoTime()) < nanoTime) {
      long until = nanoTime;
      if (phases != null) {
        phases.turnIfDue(now);
        until = Math.min(until, phases.nextTurn());
      }
      TimeUnit.NANOSECONDS.sleep(Math.max(0, until - now));
    }
    if (phases != null) {
      phases.turnIfDue(now);
    }
  }

  /** One subscription of the bench tenant from the start, consumed and acknowledged here. */
  private io.smallrye.mutiny.subscription.Cancellable subscribe() throws InterruptedException {
    String address = "bench.feed." + runId;
    client.createSubscription(new Subscription(TENANT, "bench-" + runId, address, FeedFilter.ALL,
        FeedPosition.START)).await().atMost(java.time.Duration.ofSeconds(30));
    progress.printf("subscription bench-%s delivers to %s%n", runId, address);
    io.smallrye.mutiny.subscription.Cancellable consumer = client.subscribe(address).subscribe().with(delivery -> {
      dev.temperstore.feed.FeedEvent event = delivery.event();
      if (!ledger.delivered(streamOf(event.persistenceId()), event.event().sequenceNr())) {
        duplicates.increment();
      } else if (measuring.get()) {
        deliveredMeasured.increment();
        long micros = java.time.Duration.between(delivery.event().event().metadata().timestamp(),
            java.time.Instant.now()).toNanos() / 1000;
        deliveryLatency.recordValue(Math.max(0, Math.min(micros, MAX_LATENCY_MICROS)));
      }
      delivery.ack();
    }, failure -> progress.println("subscription failed: " + failure.getMessage()));
    awaitFirstDelivery();
    return consumer;
  }

  /** The ledger's stream of a delivered event: the probe's, or client i's from its entity id {@code runId-i}. */
  private int streamOf(PersistenceId stream) {
    if (stream.entityType().equals(PROBE_TYPE)) {
      return probeStream;
    }
    String id = stream.entityId();
    return Integer.parseInt(id, id.lastIndexOf('-') + 1, id.length(), 10);
  }

  /**
   * Appends one probe event and waits until it is delivered: a store claims a new subscription at its next claim
   * round (up to {@code temper.subscriptions.claim-interval}), and a load started before that would measure the
   * backlog of the wait rather than the delivery.
   */
  private void awaitFirstDelivery() throws InterruptedException {
    List<dev.temperstore.events.NewEvent> probe = BenchPayloads.events(1, "bench-probe");
    client.append(new PersistenceId(TENANT, PROBE_TYPE, runId), 0, probe)
        .await().atMost(java.time.Duration.ofSeconds(30));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!ledger.wasDelivered(probeStream, 1)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the subscription delivered nothing within a minute");
      }
      Thread.sleep(20); // polling a condition: the delivery arrives on an event loop
    }
    progress.println("subscription delivering");
  }

  /** Waits (up to a minute) for every acknowledged event to be delivered; returns how many never were. */
  private long awaitDelivery(io.smallrye.mutiny.subscription.Cancellable consumer) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (ledger.missing() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling a condition: the deliveries arrive on the event loops
    }
    consumer.cancel();
    client.deleteSubscription(TENANT, "bench-" + runId).await().atMost(java.time.Duration.ofSeconds(30));
    return ledger.missing();
  }

  private boolean done(long deadline) {
    if (options.requests() > 0) {
      return operations.sum() >= options.requests();
    }
    return System.nanoTime() >= deadline;
  }

  private void printProgress(long started, Histogram interval, Histogram total) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    long errorCount = errors.values().stream().mapToLong(LongAdder::sum).sum();
    progress.printf(Locale.ROOT, "[%5.1f s] %,d ops  %,.0f ops/s now  %,.0f ops/s overall  p99 %.2f ms  errors %d%s%n",
        elapsed, total.getTotalCount(), interval.getTotalCount() / 1.0, total.getTotalCount() / elapsed,
        interval.getValueAtPercentile(99) / 1000.0, errorCount,
        phases == null ? "" : phases.current().subscribed ? "  (subscribed tenant)" : "  (unsubscribed tenant)");
  }

  /** One simulated client with its own stream. */
  private final class Client {

    private final int index;
    private final PersistenceId stream;
    /** Its stream in the tenant without a subscription, for the phases of an alternating run without one. */
    private final PersistenceId quietStream;
    private final String actor;
    private long sequence;
    private long quietSequence;

    Client(int index) {
      this.index = index;
      this.stream = new PersistenceId(TENANT, "Order", runId + "-" + index);
      this.quietStream = new PersistenceId(QUIET_TENANT, "Order", runId + "-" + index);
      this.actor = "bench-client-" + index;
    }

    /** The client's customer, whose personal data its events carry in a --personal run; null otherwise. */
    private String subject() {
      return options.personal() ? "customer-" + runId + "-" + index : null;
    }

    Uni<Void> fill() {
      Uni<Void> chain = Uni.createFrom().voidItem();
      for (int written = 0; written < options.streamLength(); written += 100) {
        int count = Math.min(100, options.streamLength() - written);
        chain = chain.flatMap(ignored -> client.append(stream, sequence, BenchPayloads.events(count, actor, subject()))
            .invoke(last -> sequence = last).replaceWithVoid());
      }
      return chain;
    }

    void next(CountDownLatch finished) {
      if (stopping.get() || (options.requests() > 0 && measuring.get()
          && issued.incrementAndGet() > options.requests())) {
        finished.countDown();
        return;
      }
      long started = System.nanoTime();
      operation().subscribe().with(
          count -> {
            record(started, count);
            next(finished);
          },
          failure -> {
            record(started, 0);
            errors.computeIfAbsent(failure instanceof StoreException e ? e.code() : 0, code -> new LongAdder())
                .increment();
            if (failure instanceof ConcurrencyConflict conflict) {
              if (conflict.persistenceId().equals(quietStream.toString())) {
                quietSequence = conflict.actual();
              } else {
                sequence = conflict.actual();
              }
            }
            next(finished);
          });
    }

    private void record(long startedNanos, int eventCount) {
      long micros = Math.min((System.nanoTime() - startedNanos) / 1000, MAX_LATENCY_MICROS);
      recorder.recordValue(micros);
      operations.increment();
      events.add(eventCount);
    }

    /** Emits how many events the operation wrote or read. */
    private Uni<Integer> operation() {
      return switch (options.workload()) {
        case APPEND -> append();
        case READ -> read();
        case MIXED -> {
          int dice = ThreadLocalRandom.current().nextInt(10);
          yield dice < 6 ? append() : dice < 9 ? read() : snapshot();
        }
        case SECRET_PUT -> client.put(stream.entityId(), secretName(), SECRET_VALUE).map(created -> 0);
        case SECRET_GET -> client.get(stream.entityId(), secretName()).map(value -> 0);
        case SUBSCRIBE -> append();
      };
    }

    Uni<Void> fillSecrets() {
      Uni<Void> chain = Uni.createFrom().voidItem();
      for (int i = 0; i < SECRET_NAMES; i++) {
        String name = "secret-" + i;
        chain = chain.flatMap(ignored -> client.put(stream.entityId(), name, SECRET_VALUE).replaceWithVoid());
      }
      return chain;
    }

    private String secretName() {
      return "secret-" + ThreadLocalRandom.current().nextInt(SECRET_NAMES);
    }

    private Uni<Integer> append() {
      int count = options.eventsPerAppend();
      List<dev.temperstore.events.NewEvent> batch = BenchPayloads.events(count, actor, subject());
      AlternatingPhases.Phase phase = phases == null ? null : phases.current();
      if (phase != null && !phase.subscribed) {
        return client.append(quietStream, quietSequence, batch).map(last -> {
          quietSequence = last;
          phase.appends.increment();
          return count;
        });
      }
      return client.append(stream, sequence, batch)
          .map(last -> {
            sequence = last;
            if (options.workload() == Workload.SUBSCRIBE) {
              ledger.acknowledged(index, last - count + 1, last);
            }
            if (phase != null) {
              phase.appends.increment();
            }
            return count;
          });
    }

    private Uni<Integer> read() {
      long available = Math.max(0, sequence - options.pageSize());
      long from = available == 0 ? 0 : ThreadLocalRandom.current().nextLong(available);
      return client.read(stream, from, options.pageSize()).map(EventPage::events).map(List::size);
    }

    private Uni<Integer> snapshot() {
      return client.save(stream, sequence, new byte[256]).map(ignored -> 0);
    }
  }
}
