package dev.temperstore.service.bench;

import dev.temperstore.client.BridgeClient;
import dev.temperstore.client.BridgeTls;
import dev.temperstore.service.cluster.Clustering;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.client.StoreClient;
import dev.temperstore.config.ConfigException;
import dev.temperstore.internal.config.DurationConverter;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.service.config.ServiceConfig;
import dev.temperstore.service.config.ServiceConfigLoader;
import dev.temperstore.service.embedded.EmbeddedServer;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The load generator: starts the store in this JVM on a fresh database and drives it over the event bus. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {
        "Load-test the store through the event bus with concurrent reactive clients.",
        "Runs the store in this JVM against a fresh database created on the configured server (its role needs "
            + "CREATEDB) or on an embedded PostgreSQL, and drops it afterwards.",
        "With --bridge HOST:PORT it drives an already running service (serve with temper.bridge.enabled) from "
            + "this process instead, through the TCP bridge; with --cluster, the store nodes of the cluster of "
            + "temper.cluster.* (serve --cluster), over the clustered event bus.",
        "Example: bench --workload append --clients 64 --duration 20s --events-per-append 1 --json out.json"})
public final class LoadCommand implements Callable<Integer> {

  @Option(names = "--workload", defaultValue = "append",
      description = "append, read, mixed, secret-put, secret-get or subscribe (appends while one subscription"
          + " delivers to a consumer in this JVM; not with --bridge or --cluster) (default ${DEFAULT-VALUE})")
  String workload;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--duration", defaultValue = "20s", description = "Measured time, e.g. 20s (default ${DEFAULT-VALUE})")
  String duration;

  @Option(names = "--requests", defaultValue = "0",
      description = "Measure this many requests instead of a duration (default: use --duration)")
  long requests;

  @Option(names = "--warmup", defaultValue = "5s", description = "Unmeasured load first (default ${DEFAULT-VALUE})")
  String warmup;

  @Option(names = "--events-per-append", defaultValue = "1", description = "Events per append (default ${DEFAULT-VALUE})")
  int eventsPerAppend;

  @Option(names = "--page-size", defaultValue = "100", description = "Events per read (default ${DEFAULT-VALUE})")
  int pageSize;

  @Option(names = "--stream-length", defaultValue = "1000",
      description = "Events per client stream before read and mixed runs (default ${DEFAULT-VALUE})")
  int streamLength;

  @Option(names = "--alternate", paramLabel = "DURATION",
      description = "subscribe only: phases of this length, e.g. 5s, alternate appends to the subscribed tenant with"
          + " appends to a tenant without a subscription; the summary adds the rate of each kind and their ratio")
  String alternate;

  @Option(names = "--personal", description = "Mark two fields of every event (/customer/id, /note) as personal data"
      + " of the client's own customer: stored encrypted; needs temper.secrets.keys.<version>")
  boolean personal;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON to FILE")
  Path json;

  @Option(names = "--config", paramLabel = "FILE", description = "Store configuration (as for serve)")
  Path config;

  @Option(names = "--cluster",
      description = "Join the cluster of temper.cluster.* as a client node and drive the store nodes there")
  boolean cluster;

  @Option(names = "--bridge", paramLabel = "HOST:PORT",
      description = "Drive a running service through its TCP bridge from this process, instead of starting a store")
  String bridge;

  @Option(names = "--bridge-token", paramLabel = "JWT", defaultValue = "${env:TEMPER_BRIDGE_TOKEN}",
      description = "Bearer token for a bridge with authentication (default: $TEMPER_BRIDGE_TOKEN); "
          + "issue one with issue-token")
  String bridgeToken;

  @Option(names = "--bridge-truststore", paramLabel = "FILE",
      description = "PKCS#12 file with the certificate to trust, for a bridge with TLS")
  Path bridgeTruststore;

  @Option(names = "--bridge-truststore-password", paramLabel = "PASSWORD", defaultValue = "",
      description = "Password of --bridge-truststore")
  String bridgeTruststorePassword;

  @Override
  public Integer call() throws Exception {
    ServiceConfig storeConfig;
    LoadOptions options;
    try {
      storeConfig = ServiceConfigLoader.load(Optional.ofNullable(config));
      Workload chosen = Workload.valueOf(workload.toUpperCase(Locale.ROOT).replace('-', '_'));
      Duration measured = duration(duration);
      options = new LoadOptions(chosen, positive("--clients", clients), measured, requests, duration(warmup),
          positive("--events-per-append", eventsPerAppend), positive("--page-size", pageSize),
          positive("--stream-length", streamLength), alternate(chosen, measured), personal);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      return 2;
    }
    Optional<EmbeddedServer> embedded = Optional.empty();
    Vertx vertx = Vertx.vertx();
    try {
      if (bridge != null) {
        BenchResult result = runThroughBridge(vertx, storeConfig, options);
        report(result);
        return 0;
      }
      if (cluster) {
        Vertx clientNode = Clustering.client(storeConfig.cluster()).await();
        try {
          System.err.printf("%s, %d clients from a client node of cluster \"%s\"%n",
              options.workload().name().toLowerCase(Locale.ROOT), options.clients(),
              storeConfig.cluster().name());
          StoreClient client = new StoreClient(clientNode, new Addresses(storeConfig.bus().prefix()),
              StoreClient.timeoutAbove(storeConfig.requests().deadline()));
          report(new LoadGenerator(clientNode, client, options, System.err).run());
          return 0;
        } finally {
          clientNode.close().await();
        }
      }
      DatabaseTarget server;
      if (storeConfig.database().url().isPresent()) {
        server = DatabaseTarget.fromUrl(storeConfig.database().url().get(), storeConfig.database().connectTimeout());
      } else {
        embedded = Optional.of(EmbeddedServer.start(Path.of(storeConfig.embedded().dataDir()),
            storeConfig.embedded().port(), storeConfig.embedded().durable()));
        server = new DatabaseTarget(embedded.get().connectOptions(), storeConfig.database().connectTimeout());
      }
      report(run(vertx, server, storeConfig, options));
      return 0;
    } finally {
      vertx.close().await();
      embedded.ifPresent(EmbeddedServer::close);
    }
  }

  private void report(BenchResult result) throws java.io.IOException {
    System.out.println(result.toText());
    if (json != null) {
      Files.writeString(json, result.toJson().encodePrettily());
    }
  }

  /** Load through the bridge of a service in another process; its database is whatever that service uses. */
  private BenchResult runThroughBridge(Vertx vertx, StoreConfig config, LoadOptions options)
      throws InterruptedException {
    int colon = bridge.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("--bridge takes HOST:PORT, got " + bridge);
    }
    String host = bridge.substring(0, colon);
    int port = Integer.parseInt(bridge.substring(colon + 1));
    BridgeClient.Options connection = BridgeClient.Options.of(StoreClient.timeoutAbove(config.requests().deadline()));
    if (bridgeToken != null && !bridgeToken.isBlank()) {
      connection = connection.withBearerToken(bridgeToken.strip());
    }
    if (bridgeTruststore != null) {
      connection = connection.withTrustStore(new BridgeTls(bridgeTruststore.toString(), bridgeTruststorePassword));
    }
    try (BridgeClient transport = BridgeClient.connect(vertx, host, port, connection)
        .await().atMost(Duration.ofSeconds(30))) {
      System.err.printf("%s, %d clients through the bridge at %s (%s, %s)%n",
          options.workload().name().toLowerCase(Locale.ROOT), options.clients(), bridge,
          connection.bearerToken().isPresent() ? "with a bearer token" : "no token",
          connection.trustStore().isPresent() ? "TLS" : "plain TCP");
      StoreClient client = new StoreClient(transport, new Addresses(config.bus().prefix()));
      return new LoadGenerator(vertx, client, options, System.err).run();
    }
  }

  /** One run on a fresh database of {@code server}; the store's settings come from {@code config}. */
  public static BenchResult run(Vertx vertx, DatabaseTarget server, StoreConfig config, LoadOptions options)
      throws Exception {
    return run(vertx, server, config, options, BenchClients.BUS, () -> { });
  }

  /**
   * As {@link #run(Vertx, DatabaseTarget, StoreConfig, LoadOptions)}, the store called by the client that
   * {@code clients} opens, and {@code measurementStarts} told when the warm-up has ended.
   */
  public static BenchResult run(Vertx vertx, DatabaseTarget server, StoreConfig config, LoadOptions options,
                                BenchClients clients, Runnable measurementStarts) throws Exception {
    try (BenchDatabase database = BenchDatabase.create(vertx, server);
         BenchStore store = BenchStore.start(vertx, database, config, clients)) {
      return store.load(options, measurementStarts);
    }
  }

  /**
   * The phase length of --alternate, or zero without it. Both kinds of phase must run in the measured time, or
   * the rate of the missing kind would be 0 / 0.
   */
  private Duration alternate(Workload chosen, Duration measured) {
    if (alternate == null) {
      return Duration.ZERO;
    }
    Duration phase = duration(alternate);
    if (chosen != Workload.SUBSCRIBE) {
      throw new IllegalArgumentException("--alternate is for --workload subscribe only");
    }
    if (requests > 0) {
      throw new IllegalArgumentException("--alternate needs a --duration, not --requests");
    }
    if (phase.toMillis() < 100) {
      throw new IllegalArgumentException("--alternate must be at least 100ms, got " + alternate);
    }
    if (phase.compareTo(measured.dividedBy(2)) > 0) {
      throw new IllegalArgumentException("--alternate must be at most half of --duration (" + duration
          + "), so that both kinds of phase are measured, got " + alternate);
    }
    return phase;
  }

  private static int positive(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + value);
    }
    return value;
  }

  private static Duration duration(String text) {
    return new DurationConverter().convert(text);
  }
}
