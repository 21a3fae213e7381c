package dev.temperstore.service.cli;

import dev.temperstore.StoreVerticle;
import dev.temperstore.StoreSettings;
import dev.temperstore.client.StoreClient;
import dev.temperstore.service.bridge.BridgeOptions;
import dev.temperstore.service.bridge.BridgeSettings;
import dev.temperstore.service.bridge.TcpBridge;
import dev.temperstore.service.bridge.TokenRevocations;
import dev.temperstore.service.cluster.Clustering;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.service.ops.OpsServer;
import dev.temperstore.service.ops.Readiness;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.BindException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Starts Vert.x, deploys the store, and keeps it up until SIGTERM (or Ctrl-C), then shuts down cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
        "Run the store: bring the schema up to date, then serve until SIGTERM.",
        "The database is temper.database.url (or DATABASE_URL); with neither, an embedded PostgreSQL is started "
            + "with its data kept in temper.embedded.data-dir (default data/postgres).",
        "Health and metrics: http://<temper.http.host>:<temper.http.port, 8081>/health/live, /health/ready, /metrics.",
        "Other languages: temper.bridge.enabled=true serves the TCP event-bus bridge on 127.0.0.1:7000 "
            + "(another host needs temper.bridge.auth.*; see docs/security.md).",
        "Exit codes: 0 after a clean shutdown, 1 when the start fails, 2 on bad configuration."})
public final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  private static final long SHUTDOWN_TIMEOUT_SECONDS = 30;

  @Mixin
  ConfigOption config;

  @Option(names = "--cluster", description = "Join the Hazelcast cluster configured by temper.cluster.* "
      + "(as temper.cluster.enabled=true does)")
  boolean cluster;

  @Override
  public Integer call() throws InterruptedException {
    Optional<ServiceConfig> loaded = config.load();
    if (loaded.isEmpty()) {
      return ConfigOption.BAD_CONFIG;
    }
    long started = System.nanoTime();
    ServiceConfig config = loaded.get();
    ChosenDatabase database = ChosenDatabase.resolve(config);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Vert.x's own metrics (pools, event bus, HTTP) go to the same registry as the store's request timers.
    // Not Vert.x's net client, SQL client and event bus metrics: their gauges carry no pool name or address, so
    // every pool and every consumer registers the same gauge again, Micrometer keeps only the first and warns. The
    // pools' metrics (vertx_pool_*, named per pool) and the store's timers by address (temper_store_requests) say
    // what those would.
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT).addDisabledMetricsCategory("sql").addDisabledMetricsCategory(MetricsDomain.EVENT_BUS));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    boolean clustered = cluster || config.cluster().enabled();
    Vertx vertx;
    try {
      vertx = clustered ? Clustering.start(config.cluster(), builder, options).await() : builder.with(options).build();
    } catch (Exception e) {
      LOG.error("start failed: cannot join the cluster \"{}\": {}", config.cluster().name(), e.getMessage());
      database.close();
      return 1;
    }
    if (clustered) {
      LOG.info("joined cluster \"{}\" from {}", config.cluster().name(), config.cluster().host());
    }
    Readiness readiness = new Readiness(database.serving().pool(vertx, 1));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      readiness.stopping();
      shutDown(vertx, database);
      stopped.countDown();
    }, "temper-store-shutdown"));

    StoreSettings settings = StoreSettings.of(config, database.migration(), database.serving());
    int instances = config.server().instances();
    try {
      if (config.http().enabled()) {
        listening(new OpsServer(readiness, registry).listen(vertx, config.http().host(), config.http().port()),
            "the health and metrics port", config.http().host(), config.http().port(), "temper.http.port").await();
        LOG.info("health and metrics on http://{}:{}/health/ready, /health/live, /metrics", config.http().host(),
            config.http().port());
      }
      vertx.deployVerticle(() -> new StoreVerticle(settings, registry), new DeploymentOptions().setInstances(instances))
          .await();
      if (config.bridge().enabled()) {
        // Above the store's deadline, so that a store that is up answers (or fails) before the bridge gives up.
        Duration requestTimeout = StoreClient.timeoutAbove(config.requests().deadline());
        BridgeOptions bridge = BridgeSettings.options(vertx, config.bridge(), requestTimeout,
            config.subscriptions().deliveryTimeout());
        if (bridge.auth().isPresent()) {
          // Tokens are refused once revoked: the list is read before the bridge serves (docs/security.md).
          ServiceConfig.Bridge.Auth auth = config.bridge().auth();
          TokenRevocations revocations = new TokenRevocations(vertx, database.serving().pool(vertx, 2),
              database.serving(), auth.revocationRefresh(), auth.maxTokenLifetime());
          revocations.start().await();
          revocations.serve(settings.addresses().of(TokenRevocations.OPERATION));
          bridge = bridge.withAuth(bridge.auth().get().withRevocations(revocations, registry));
        }
        listening(TcpBridge.listen(vertx, settings.addresses(), bridge), "the TCP bridge", bridge.host(), bridge.port(),
            "temper.bridge.port").await();
        LOG.info("TCP event-bus bridge on {}:{} ({}, {}, secret get {}, deliveries under {}.*)", bridge.host(),
            bridge.port(), bridge.tls().isPresent() ? "TLS" : "plain TCP",
            bridge.auth().isPresent() ? "JWT bearer tokens required" : "no authentication, loopback only",
            bridge.allowSecretGet() ? "forwarded" : "refused", bridge.deliveryPrefix());
      }
    } catch (Exception e) {
      LOG.error("start failed: {}", e.getMessage());
      return 1; // the shutdown hook closes Vert.x and the embedded server
    }
    readiness.serving();
    LOG.info("temper-store ready in {} ms: {} instance(s) serving {}.* on {}",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), instances, settings.addresses().prefix(),
        database.describe());
    stopped.await();
    return 0;
  }

  private static void shutDown(Vertx vertx, ChosenDatabase database) {
    try {
      vertx.close().await(SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close within {} s: {}", SHUTDOWN_TIMEOUT_SECONDS, e.getMessage());
    }
    database.close();
    LOG.info("stopped");
  }

  /** A port that is taken fails the start naming the port and the key that sets it, not only "Address in use". */
  private static <T> Future<T> listening(Future<T> listen, String what, String host, int port, String key) {
    return listen.recover(failure -> Future.failedFuture(failure instanceof BindException
        || String.valueOf(failure.getMessage()).contains("Address already in use")
        ? new IllegalStateException("cannot open " + what + " on " + host + ":" + port + " (" + key + "): "
            + failure.getMessage())
        : failure));
  }
}
