package dev.temperstore;

import dev.temperstore.internal.bus.Endpoints;
import dev.temperstore.internal.bus.EventHandlers;
import dev.temperstore.internal.bus.FeedHandlers;
import dev.temperstore.internal.bus.SecretHandlers;
import dev.temperstore.internal.bus.SnapshotHandlers;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.internal.bus.SubscriptionHandlers;
import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.internal.events.AppendMetrics;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.feed.AllTenantsFeed;
import dev.temperstore.internal.feed.FeedGuard;
import dev.temperstore.internal.feed.PgAllTenantsFeed;
import dev.temperstore.internal.feed.PgFeed;
import dev.temperstore.internal.bus.LifecycleHandlers;
import dev.temperstore.internal.bus.SubjectHandlers;
import dev.temperstore.internal.postgres.Listener;
import dev.temperstore.internal.subjects.PgSubjectStore;
import dev.temperstore.internal.subjects.SubjectCipher;
import dev.temperstore.internal.subjects.SubjectKeys;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.function.Consumer;
import dev.temperstore.internal.lifecycle.PgStreamLifecycle;
import dev.temperstore.internal.lifecycle.PgTenantPurge;
import dev.temperstore.internal.lifecycle.Sweeper;
import dev.temperstore.internal.subscriptions.LocalWakeups;
import dev.temperstore.internal.subscriptions.delivery.SubscriptionDeliveries;
import dev.temperstore.internal.subscriptions.FeedNotifier;
import dev.temperstore.internal.subscriptions.PgSubscriptionStore;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationReport;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.internal.reactive.Reactive;
import dev.temperstore.internal.secrets.DisabledSecretStore;
import dev.temperstore.secrets.SecretStore;
import dev.temperstore.internal.secrets.PgSecretStore;
import dev.temperstore.internal.snapshots.PgSnapshotStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The store as a verticle: on start it brings the schema up to date, then serves the event, snapshot and secret
 * stores on the event bus (the secret store answers 503 when no master key is configured).
 *
 * <p>Deploy as many instances as you like, in one JVM or many: the migration pipeline serialises them on a
 * PostgreSQL advisory lock, so exactly one applies each step. A failing step fails the deployment with the
 * step's message ({@code failed to create <label>: <database error>}) and nothing is left registered.
 *
 * <p>With an operator role ({@code temper.database.operator-url}), each instance also serves reads across all
 * tenants, as that role, on a pool of its own (2 connections); without one they are 403.
 *
 * <p>Each instance also runs deliverers for the subscriptions in the database (unless
 * {@code temper.subscriptions.enabled} is false): a PostgreSQL advisory lock per subscription makes exactly one
 * instance, among all processes on the database, deliver each one.
 */
public final class StoreVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);

  private static final Map<String, Future<MigrationReport>> MIGRATIONS_IN_PROGRESS = new HashMap<>();

  private final StoreSettings settings;
  private final MeterRegistry registry;
  private final MigrationPipeline pipeline;
  private volatile MigrationReport migrationReport;
  private Pool pool;
  /** The operator role's, for all-tenant feed reads; null when none is configured. */
  private Pool operatorPool;
  private Endpoints endpoints;
  private SubscriptionDeliveries deliveries;
  private SubjectKeys subjectKeys;
  private MessageConsumer<JsonObject> forgottenConsumer;
  private Listener subjectListener;
  private FeedNotifier notifier;
  private Sweeper sweeper;
  /** The most often this instance wakes feed deliverers after commits: bounds their latency, not the appends. */
  static final Duration NOTIFY_INTERVAL = Duration.ofMillis(5);
  /** Rows one batch of a tenant purge removes: a statement of about ten milliseconds, row locks only. */
  static final int PURGE_BATCH = 2000;
  /** Connections of each instance's operator pool: all-tenant reads are an operator's tool, not a workload. */
  static final int OPERATOR_POOL_SIZE = 2;

  /** Configured by SmallRye Config from the system properties, the environment and {@code conf/}. */
  public StoreVerticle() {
    this(ConfigLoader.load(Optional.empty()));
  }

  /** Configured by {@code config}; its database URL (or {@code DATABASE_URL}) must be set. */
  public StoreVerticle(StoreConfig config) {
    this(settingsOf(config));
  }

  /** Request metrics go to Micrometer's global registry. */
  public StoreVerticle(StoreSettings settings) {
    this(settings, Metrics.globalRegistry);
  }

  /**
   * Request metrics ({@code temper.store.requests}, by address and outcome) and the append batcher's
   * ({@link AppendMetrics}) go to {@code registry}.
   */
  public StoreVerticle(StoreSettings settings, MeterRegistry registry) {
    this.settings = settings;
    this.registry = registry;
    this.pipeline = settings == null ? null : MigrationPipeline.standard(settings.migrationSettings());
  }

  @Override
  public Future<?> start() {
    return Reactive.future(startUp(), context);
  }

  /** How long a stop waits for requests in flight before closing the pool under them. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Stops delivering (saving checkpoints, releasing claims), refuses new requests (503), lets those in flight
   * finish (bounded), then closes the pool.
   */
  @Override
  public Future<?> stop() {
    return closeEndpointsAndPool();
  }

  /** The subscriptions this instance delivers now ({@code tenant:name}); empty before the start. */
  public Set<String> delivering() {
    return deliveries == null ? Set.of() : deliveries.delivering();
  }

  /** What the start's migration did; empty until the start has completed. */
  public Optional<MigrationReport> migrationReport() {
    return Optional.ofNullable(migrationReport);
  }

  private Uni<Void> startUp() {
    if (settings == null) {
      return Uni.createFrom().failure(new IllegalStateException(
          "no database configured: set temper.database.url (TEMPER_DATABASE_URL) or DATABASE_URL"));
    }
    return migrate()
        .invoke(report -> migrationReport = report)
        .flatMap(report -> serve())
        .onFailure().call(this::closePool)
        .invoke(() -> LOG.info("store ready on {}, serving {}.*", settings.serving().describe(),
            settings.addresses().prefix()));
  }

  /**
   * Instances deployed together in one Vert.x share one run of the pipeline: each would otherwise wait on the
   * advisory lock for its siblings, and say so in the log as if another replica were migrating. Only a run in
   * progress is shared; a later deployment runs the pipeline again (quickly, when nothing is pending).
   */
  private Uni<MigrationReport> migrate() {
    String key = System.identityHashCode(vertx) + " " + settings.migration().describe();
    Future<MigrationReport> run;
    synchronized (MIGRATIONS_IN_PROGRESS) {
      run = MIGRATIONS_IN_PROGRESS.get(key);
      if (run == null) {
        run = Reactive.future(pipeline.run(vertx, settings.migration(), MigrationListener.NONE), context);
        Future<MigrationReport> started = run;
        MIGRATIONS_IN_PROGRESS.put(key, started);
        started.onComplete(done -> {
          synchronized (MIGRATIONS_IN_PROGRESS) {
            MIGRATIONS_IN_PROGRESS.remove(key, started);
          }
        });
      }
    }
    Future<MigrationReport> shared = run;
    // Back on this instance's own event loop: what serve() registers belongs to it.
    return Reactive.uni(() -> shared).emitOn(task -> context.runOnContext(ignored -> task.run()));
  }

  private Uni<Void> serve() {
    pool = settings.serving().pool(vertx, settings.poolSize(), settings.statementTimeout());
    subjectKeys = new SubjectKeys(pool, settings.secrets().keys().isEmpty() ? Optional.empty()
        : Optional.of(new SubjectCipher(settings.secrets().keys())), settings.subjects());
    Uni<PgFeed> checkedFeed = FeedGuard.check(pool)
        .flatMap(ordered -> PgFeed.forRole(pool, settings.busLimits().maxReadLimit(), subjectKeys));
    return checkedFeed.flatMap(feed -> allTenantsFeed().flatMap(allTenants -> {
      endpoints = new Endpoints(vertx, settings.addresses(), settings.busLimits().maxInFlight(),
          settings.requestDeadline(), registry);
      PgSubscriptionStore subscriptions = new PgSubscriptionStore(pool, settings.subscriptions());
      LocalWakeups wakeups = new LocalWakeups(vertx, settings.addresses().of(Addresses.FEED_APPENDED));
      notifier = new FeedNotifier(vertx, pool, subscriptions, wakeups, NOTIFY_INTERVAL,
          settings.subscriptions().claimInterval());
      new EventHandlers(new PgEventStore(pool, context, settings.eventLimits(), notifier::appended,
          AppendMetrics.to(registry), subjectKeys), settings.busLimits()).register(endpoints);
      new SubjectHandlers(new PgSubjectStore(pool, subjectKeys, settings.busLimits().maxReadLimit(),
          this::forgotten), settings.busLimits().maxReadLimit()).register(endpoints);
      new FeedHandlers(feed, allTenants, settings.busLimits()).register(endpoints);
      new SubscriptionHandlers(subscriptions, settings.addresses(), vertx.eventBus()).register(endpoints);
      new LifecycleHandlers(new PgStreamLifecycle(pool), new PgTenantPurge(vertx, pool, PURGE_BATCH,
          PgTenantPurge.DEFAULT_DUTY),
          settings.requestDeadline().dividedBy(2)).register(endpoints);
      new SnapshotHandlers(new PgSnapshotStore(pool, settings.busLimits().maxSnapshotBytes(), subjectKeys),
          settings.busLimits())
          .register(endpoints);
      SecretStore secrets = settings.secrets().keys().isEmpty() ? new DisabledSecretStore()
          : new PgSecretStore(vertx, pool, settings.secrets());
      new SecretHandlers(secrets, settings.secrets().maxValueBytes()).register(endpoints);
      listenForForgottenSubjects();
      return Reactive.uni(endpoints::ready).invoke(() -> {
        deliver(feed, subscriptions, wakeups);
        sweeper = new Sweeper(vertx, pool, settings.sweep(), registry);
        sweeper.start();
      });
    }));
  }

  /**
   * The feed across tenants, read as the operator role, once a query has shown that the role may read every tenant
   * (a misconfigured role fails the start, naming the key); refused with 403 when no operator role is configured.
   */
  private Uni<AllTenantsFeed> allTenantsFeed() {
    if (settings.operator().isEmpty()) {
      return Uni.createFrom().item(AllTenantsFeed.NOT_CONFIGURED);
    }
    DatabaseTarget operator = settings.operator().get();
    operatorPool = operator.pool(vertx, OPERATOR_POOL_SIZE, settings.statementTimeout());
    return PgAllTenantsFeed.check(operatorPool)
        .onFailure().transform(e -> new IllegalStateException("cannot serve all-tenant feed reads as "
            + operator.describe() + " (temper.database.operator-url): " + e.getMessage(), e))
        .map(checked -> {
          LOG.info("all-tenant feed reads served as {}", operator.describe());
          return new PgAllTenantsFeed(operatorPool, settings.busLimits().maxReadLimit(), subjectKeys);
        });
  }

  /**
   * A subject forgotten through this store: every store of this process hears of it at once (a local publish,
   * this one included), the others when PostgreSQL's notification reaches them (subjects/keys.sql).
   */
  private void forgotten(PgSubjectStore.Forgotten forgotten) {
    apply(forgotten);
    vertx.eventBus().publish(settings.addresses().of(Addresses.SUBJECTS_FORGOTTEN), new JsonObject()
        .put("tenant", forgotten.tenant()).put("subject", forgotten.subject())
        .put("since", forgotten.since().toString()), new DeliveryOptions().setLocalOnly(true));
  }

  /** This store drops the subject's key and its deliverers redact what they hold of it. */
  private void apply(PgSubjectStore.Forgotten forgotten) {
    subjectKeys.forgotten(forgotten.tenant(), forgotten.subject(), forgotten.since());
    if (deliveries != null) {
      deliveries.redact(forgotten.tenant(), forgotten.subject(), forgotten.since());
    }
  }

  private void listenForForgottenSubjects() {
    Consumer<JsonObject> onForgotten = body -> {
      try {
        apply(new PgSubjectStore.Forgotten(body.getString("tenant"), body.getString("subject"),
            OffsetDateTime.parse(body.getString("since")).toInstant()));
      } catch (RuntimeException e) {
        LOG.warn("ignoring a malformed notice of a forgotten subject: {}", e.getMessage());
      }
    };
    forgottenConsumer = vertx.eventBus().<JsonObject>localConsumer(
        settings.addresses().of(Addresses.SUBJECTS_FORGOTTEN), message -> onForgotten.accept(message.body()));
    subjectListener = new Listener(vertx, settings.serving(), "notifications of forgotten subjects",
        "keys cached here stay usable until temper.subjects.key-cache-max-age meanwhile, and are dropped when it"
            + " listens again")
        .on(PgSubjectStore.CHANNEL, payload -> onForgotten.accept(new JsonObject(payload)),
            subjectKeys::dropKeys); // on every (re)connection: forgets sent while it was away are lost
    subjectListener.start();
  }

  /** Delivery runs in the background from here on: the database being away later only delays it. */
  private void deliver(PgFeed feed, PgSubscriptionStore subscriptions, LocalWakeups wakeups) {
    if (!settings.subscriptions().enabled()) {
      return;
    }
    deliveries = new SubscriptionDeliveries(vertx, context, settings.serving(), subscriptions, feed,
        settings.subscriptions(), settings.busLimits().maxReadLimit(), settings.statementTimeout(), registry,
        settings.addresses().of(Addresses.SUBSCRIPTIONS_CHANGED), wakeups);
    deliveries.start();
  }

  private Uni<Void> closePool() {
    return Reactive.uni(this::closeEndpointsAndPool).onFailure().recoverWithNull();
  }

  private Future<Void> closeEndpointsAndPool() {
    Future<Void> delivered = deliveries == null ? Future.succeededFuture() : deliveries.close();
    Future<Void> unregistered = delivered.eventually(() ->
        endpoints == null ? Future.succeededFuture() : endpoints.close(vertx, DRAIN_TIMEOUT));
    return unregistered.eventually(() -> {
      if (notifier != null) {
        notifier.close();
      }
      if (forgottenConsumer != null) {
        forgottenConsumer.unregister();
      }
      if (subjectListener != null) {
        subjectListener.close();
      }
      if (sweeper != null) {
        sweeper.close();
      }
      Future<Void> operatorClosed = operatorPool == null ? Future.succeededFuture() : operatorPool.close();
      return operatorClosed.eventually(() -> pool == null ? Future.succeededFuture() : pool.close());
    });
  }

  private static StoreSettings settingsOf(StoreConfig config) {
    Objects.requireNonNull(config, "config");
    return config.database().url()
        .map(url -> {
          DatabaseTarget serving = DatabaseTarget.fromUrl(url, config.database().connectTimeout());
          DatabaseTarget migration = config.database().migrationUrl()
              .map(migrationUrl -> DatabaseTarget.fromUrl(migrationUrl, config.database().connectTimeout()))
              .orElse(serving);
          return StoreSettings.of(config, migration, serving);
        })
        .orElse(null);
  }
}
