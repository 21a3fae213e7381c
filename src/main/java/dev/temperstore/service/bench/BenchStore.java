package dev.temperstore.service.bench;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.secrets.SecretSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

import java.util.Locale;

/**
 * The store as {@code bench} runs it: its verticle (the configured instances) deployed on a database of its own, and
 * a client of it, open for one or more loads ({@link #load}) until closed. {@code bench} loads it once; the lab's
 * interleaved layers deploy it for each short slice between other layers, on the same database.
 */
public final class BenchStore implements AutoCloseable {

  private final Vertx vertx;
  private final String database;
  private final StoreSettings settings;
  private final MeterRegistry registry;
  private final String deployment;
  private final BenchClients.Opened opened;

  private BenchStore(Vertx vertx, String database, StoreSettings settings, MeterRegistry registry,
                     String deployment, BenchClients.Opened opened) {
    this.vertx = vertx;
    this.database = database;
    this.settings = settings;
    this.registry = registry;
    this.deployment = deployment;
    this.opened = opened;
  }

  /**
   * Deploys the store on {@code database} with {@code config}'s settings, and opens the client of {@code clients};
   * blocks, so call from a thread that is not an event loop. Closing it leaves the database.
   */
  public static BenchStore start(Vertx vertx, BenchDatabase database, StoreConfig config, BenchClients clients)
      throws Exception {
    String deployment = null;
    try {
      StoreSettings configured = StoreSettings.of(config, database.target(), database.target());
      // A database of the bench's own, dropped afterwards: with no master key configured, its throw-away one does.
      StoreSettings settings = configured.secrets().keys().isEmpty()
          ? configured.withSecrets(SecretSettings.withKeys(database.throwAwayKeys())) : configured;
      MeterRegistry registry = StoreTimings.registry();
      deployment = vertx.deployVerticle(() -> new StoreVerticle(settings, registry),
          new DeploymentOptions().setInstances(config.server().instances())).await();
      return new BenchStore(vertx, database.name(), settings, registry, deployment, clients.open(vertx, settings));
    } catch (Exception | Error e) {
      if (deployment != null) {
        vertx.undeploy(deployment).await();
      }
      throw e;
    }
  }

  /** The settings the store was deployed with. */
  public StoreSettings settings() {
    return settings;
  }

  /** One load by {@code bench}'s generator, {@code measurementStarts} told when its warm-up has ended. */
  public BenchResult load(LoadOptions options, Runnable measurementStarts) throws InterruptedException {
    System.err.printf("%s, %d clients, %d events per append, on database %s%n",
        options.workload().name().toLowerCase(Locale.ROOT), options.clients(), options.eventsPerAppend(),
        database);
    StoreTimings timings = new StoreTimings(registry);
    BenchResult result = new LoadGenerator(vertx, opened.client(), options, System.err, () -> {
      timings.start();
      measurementStarts.run();
    }).run();
    return result.withStore(timings.figures());
  }

  @Override
  public void close() throws Exception {
    try {
      opened.resources().close();
    } finally {
      vertx.undeploy(deployment).await();
    }
  }
}
