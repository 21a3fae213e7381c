package dev.temperstore.service.cli;

import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.Unavailable;
import dev.temperstore.events.NewEvent;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.service.cluster.Clustering;
import dev.temperstore.service.config.ServiceConfigLoader;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.Ports;
import dev.temperstore.testing.PostgresServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Store nodes as separate processes on one Hazelcast cluster, and this JVM as a client node. */
class ClusterIT extends DatabaseTest {

  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;
  private static final Pattern APPENDS_SERVED = Pattern.compile(
      "temper_store_requests_seconds_count\\{address=\"temper.store.events.append\",outcome=\"ok\"} (\\d+)");

  @TempDir
  Path workDir;
  private final String clusterName = "temper-it-" + UUID.randomUUID();
  private int hazelcastPort;
  private Vertx clientNode;

  @BeforeEach
  void clusterSettings() throws Exception {
    hazelcastPort = Ports.free();
  }

  @AfterEach
  void leaveCluster() {
    if (clientNode != null) {
      clientNode.close().await();
    }
  }

  @Test
  void a_client_on_another_node_appends_and_reads_through_a_store_node() throws Exception {
    try (JarProcess store = storeNode(Ports.free())) {
      store.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      StoreClient client = StoreClient.create(joinAsClient());
      PersistenceId order = PersistenceId.parse("acme:Order:o-1");

      long appended = client.append(order, 0, Events.events(3)).await().atMost(Duration.ofSeconds(30));
      int read = client.read(order, 0, 10).await().atMost(Duration.ofSeconds(30)).events().size();

      assertThat(appended).isEqualTo(3);
      assertThat(read).isEqualTo(3);
      assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(3);
      assertThat(store.output()).contains("joined cluster \"" + clusterName + "\"");
    }
  }

  @Test
  void with_a_keystore_nodes_talk_tls_and_a_client_without_it_gets_no_answer() throws Exception {
    Path keystore = workDir.resolve("node.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=temper-node",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "test-pass",
        "-keypass", "test-pass").redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isZero();
    Map<String, String> tls = Map.of("TEMPER_CLUSTER_TLS_KEYSTORE", keystore.toString(),
        "TEMPER_CLUSTER_TLS_KEYSTORE_PASSWORD", "test-pass");

    try (JarProcess store = storeNode(Ports.free(), tls)) {
      store.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      Vertx withTls = Clustering.client(ServiceConfigLoader.fromProperties(Map.of(
          "temper.cluster.name", clusterName,
          "temper.cluster.hazelcast-port", Integer.toString(hazelcastPort),
          "temper.cluster.tls-keystore", keystore.toString(),
          "temper.cluster.tls-keystore-password", "test-pass")).cluster()).await();
      Vertx plain = joinAsClient();
      try {
        StoreClient secured = new StoreClient(withTls, Addresses.defaults(), Duration.ofSeconds(10));
        StoreClient unsecured = new StoreClient(plain, Addresses.defaults(), Duration.ofSeconds(3));
        PersistenceId order = PersistenceId.parse("acme:Order:tls");

        assertThat(secured.append(order, 0, Events.events(2)).await().atMost(Duration.ofSeconds(30))).isEqualTo(2);
        assertThatThrownBy(() -> unsecured.read(order, 0, 10).await().atMost(Duration.ofSeconds(30)))
            .isInstanceOf(Unavailable.class);
        assertThat(database.admin().count("SELECT count(*) FROM events")).isEqualTo(2);
      } finally {
        withTls.close().await();
      }
    }
  }

  @Test
  void two_store_nodes_share_the_requests_and_one_stopping_mid_load_loses_no_acknowledged_append() throws Exception {
    int metricsA = Ports.free();
    int metricsB = Ports.free();
    try (JarProcess a = storeNode(metricsA); JarProcess b = storeNode(metricsB)) {
      a.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      b.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      // A short timeout, so a request to the stopped node fails fast and is retried elsewhere.
      StoreClient client = new StoreClient(joinAsClient(), Addresses.defaults(), Duration.ofSeconds(5));
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicBoolean stop = new AtomicBoolean();
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        PersistenceId stream = PersistenceId.parse("acme:Order:writer-" + w);
        writers.add(CompletableFuture.runAsync(() -> write(client, stream, acknowledged, stop)));
      }
      awaitAcknowledged(acknowledged, 200);
      long servedByA = appendsServed(metricsA);
      long servedByB = appendsServed(metricsB);

      a.terminate();
      assertThat(a.exitCode(TIMEOUT)).isEqualTo(143);
      int whenAStopped = acknowledged.size();
      awaitAcknowledged(acknowledged, whenAStopped + 200);
      stop.set(true);
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      assertThat(servedByA).isPositive();
      assertThat(servedByB).isPositive();
      assertThat(database.admin().strings("SELECT metadata->>'event_id' FROM events")).containsAll(acknowledged);
    }
  }

  /**
   * Appends in a loop. A failure (the node that had the request stopped, or is stopping) is not an
   * acknowledgement: the writer finds where its stream really is, retrying that too, and goes on from there.
   */
  private static void write(StoreClient client, PersistenceId stream, Set<String> acknowledged, AtomicBoolean stop) {
    long sequence = 0;
    while (!stop.get()) {
      List<NewEvent> events = Events.events(1);
      try {
        sequence = client.append(stream, sequence, events).await().atMost(Duration.ofSeconds(20));
        acknowledged.add(events.get(0).metadata().eventId().toString());
      } catch (RuntimeException e) {
        sequence = whereTheStreamIs(client, stream, sequence, stop);
      }
    }
  }

  private static long whereTheStreamIs(StoreClient client, PersistenceId stream, long from, AtomicBoolean stop) {
    while (!stop.get()) {
      try {
        return client.read(stream, from, 1000).await().atMost(Duration.ofSeconds(20)).nextFrom();
      } catch (RuntimeException e) {
        // still failing over: ask again
      }
    }
    return from;
  }

  private static void awaitAcknowledged(Set<String> acknowledged, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acknowledged.size() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + acknowledged.size() + " appends acknowledged, waiting for " + count);
      }
      Thread.sleep(20);
    }
  }

  private JarProcess storeNode(int httpPort) {
    return storeNode(httpPort, Map.of());
  }

  private JarProcess storeNode(int httpPort, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("DATABASE_URL", PostgresServer.url(database.asOwner()));
    env.put("TEMPER_CLUSTER_NAME", clusterName);
    env.put("TEMPER_CLUSTER_HAZELCAST_PORT", Integer.toString(hazelcastPort));
    env.put("TEMPER_HTTP_HOST", "127.0.0.1");
    env.put("TEMPER_HTTP_PORT", Integer.toString(httpPort));
    return JarProcess.start(workDir, env, "serve", "--cluster");
  }

  private Vertx joinAsClient() {
    clientNode = Clustering.client(ServiceConfigLoader.fromProperties(Map.of(
        "temper.cluster.name", clusterName,
        "temper.cluster.hazelcast-port", Integer.toString(hazelcastPort))).cluster()).await();
    return clientNode;
  }

  private static long appendsServed(int httpPort) throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + httpPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher matcher = APPENDS_SERVED.matcher(metrics);
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  @Override
  protected boolean migrated() {
    return false;
  }
}
