package dev.temperstore.service.cli;

import dev.temperstore.client.BridgeClient;
import dev.temperstore.client.StoreClient;
import dev.temperstore.events.NewEvent;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.Schema;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.Catalog;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.JarProcess;
import dev.temperstore.testing.Ports;
import dev.temperstore.testing.PostgresServer;
import dev.temperstore.testing.TestDatabase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandIT extends DatabaseTest {

  private static final int STEPS = Schema.steps().size();
  private static final Duration TIMEOUT = Await.PROCESS_TIMEOUT;
  /** What the JVM returns after running its shutdown hooks on SIGTERM (128 + 15). */
  private static final int SIGTERM_EXIT = 143;

  @TempDir
  Path workDir;

  @Test
  void serve_against_a_configured_database_migrates_becomes_ready_and_stops_cleanly_on_sigterm() throws Exception {
    try (JarProcess serve = JarProcess.start(workDir,
        Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()), "TEMPER_HTTP_PORT", "0"), "serve")) {

      serve.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      assertThat(new Catalog(database.admin()).ledgerLabels()).hasSize(STEPS);
      serve.terminate();

      assertThat(serve.exitCode(TIMEOUT)).as(serve.output()).isEqualTo(SIGTERM_EXIT);
      assertThat(serve.output()).contains("shutting down", "stopped").doesNotContain(TestDatabase.PASSWORD)
          .doesNotContain(" WARN ", "another instance is migrating"); // its own instances share one migration
    }
  }

  @Test
  void readiness_is_false_while_the_migration_waits_and_true_once_the_store_serves() throws Exception {
    int port = Ports.free();
    Pool holderPool = database.asSuperuser().pool(vertx, 1);
    SqlConnection holder = holderPool.getConnection().await();
    holder.query("BEGIN").execute().await();
    holder.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(MigrationPipeline.LOCK_KEY)).await();

    try (JarProcess serve = JarProcess.start(workDir, Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()),
        "TEMPER_HTTP_HOST", "127.0.0.1", "TEMPER_HTTP_PORT", Integer.toString(port)), "serve")) {
      serve.awaitLine(line -> line.contains("another instance is migrating this database"), TIMEOUT);
      HttpResponse<String> waiting = get(port, "/health/ready");
      HttpResponse<String> live = get(port, "/health/live");
      holder.query("COMMIT").execute().await();
      serve.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      HttpResponse<String> ready = get(port, "/health/ready");
      HttpResponse<String> metrics = get(port, "/metrics");

      assertThat(waiting.statusCode()).isEqualTo(503);
      assertThat(waiting.body()).contains("\"migrations\":\"DOWN");
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("vertx_pool_", "vertx_http_server_");
      serve.terminate();
      assertThat(serve.exitCode(TIMEOUT)).isEqualTo(SIGTERM_EXIT);
    } finally {
      holderPool.close().await();
    }
  }

  @Test
  void sigterm_under_steady_load_loses_no_append_that_was_acknowledged() throws Exception {
    int bridgePort = Ports.free();
    try (JarProcess serve = JarProcess.start(workDir, Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()),
        "TEMPER_HTTP_PORT", "0", "TEMPER_BRIDGE_ENABLED", "true", "TEMPER_BRIDGE_PORT", Integer.toString(bridgePort)),
        "serve")) {
      serve.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      BridgeClient transport = BridgeClient.connect(vertx, "127.0.0.1", bridgePort, Duration.ofSeconds(10))
          .await().atMost(Duration.ofSeconds(10));
      StoreClient client = new StoreClient(transport, Addresses.defaults());
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      AtomicInteger failed = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        PersistenceId stream = PersistenceId.parse("acme:Order:writer-" + w);
        writers.add(CompletableFuture.runAsync(() -> {
          long sequence = 0;
          while (!stop.get()) {
            List<NewEvent> batch = Events.events(1);
            try {
              sequence = client.append(stream, sequence, batch).await().atMost(Duration.ofSeconds(15));
              acknowledged.add(batch.get(0).metadata().eventId().toString());
            } catch (RuntimeException e) {
              failed.incrementAndGet(); // refused (503) or cut off: reported to the caller, as it must be
              return;
            }
          }
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledged.size() < 200 && System.nanoTime() < deadline) {
        Thread.sleep(10); // polling a condition: the signal comes once a few hundred appends were acknowledged
      }

      serve.terminate();
      assertThat(serve.exitCode(TIMEOUT)).isEqualTo(SIGTERM_EXIT);
      stop.set(true);
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      List<String> stored = database.admin().strings("SELECT metadata->>'event_id' FROM events");
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(200);
      assertThat(stored).containsAll(acknowledged);
      assertThat(failed.get()).isEqualTo(8); // every writer saw the shutdown as a failure, none hung
    }
  }

  @Test
  void serve_whose_migration_fails_exits_1_naming_the_step() throws Exception {
    database.admin().execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    String reader = database.createRole("LOGIN NOSUPERUSER");

    JarProcess serve = JarProcess.start(workDir, Map.of("DATABASE_URL", PostgresServer.url(database.as(reader)),
        "TEMPER_HTTP_PORT", "0"));

    assertThat(serve.exitCode(TIMEOUT)).isEqualTo(1);
    assertThat(serve.output()).containsPattern("start failed: failed to create events table: .*permission denied");
  }

  @Test
  void serve_without_a_database_runs_an_embedded_postgres_whose_data_survives_a_restart() throws Exception {
    Path dataDir = workDir.resolve("pgdata");
    Map<String, String> env = Map.of("TEMPER_EMBEDDED_DATA_DIR", dataDir.toString(), "TEMPER_HTTP_PORT", "0");

    try (JarProcess first = JarProcess.start(workDir, env, "serve")) {
      first.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      assertThat(first.output()).contains("data in " + dataDir + " (new cluster, durable)")
          .contains("applied " + STEPS + " of " + STEPS + " steps");
      first.terminate();
      assertThat(first.exitCode(TIMEOUT)).as(first.output()).isEqualTo(SIGTERM_EXIT);
    }
    assertThat(Files.exists(dataDir.resolve("postgresql.conf"))).isTrue();

    try (JarProcess second = JarProcess.start(workDir, env, "serve")) {
      second.awaitLine(line -> line.contains("temper-store ready in"), TIMEOUT);
      assertThat(second.output()).contains("data in " + dataDir + " (existing data kept, durable)")
          .contains("applied 0 of " + STEPS + " steps");
      second.terminate();
      assertThat(second.exitCode(TIMEOUT)).as(second.output()).isEqualTo(SIGTERM_EXIT);
    }
  }

  @Test
  void a_taken_http_port_fails_the_start_naming_the_port_and_its_key() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      JarProcess serve = JarProcess.start(workDir, Map.of("DATABASE_URL", PostgresServer.url(database.asOwner()),
          "TEMPER_HTTP_HOST", "127.0.0.1", "TEMPER_HTTP_PORT", Integer.toString(port)), "serve");

      assertThat(serve.exitCode(TIMEOUT)).isEqualTo(1);
      assertThat(serve.output()).contains("start failed: cannot open the health and metrics port on 127.0.0.1:" + port
          + " (temper.http.port)");
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  protected boolean migrated() {
    return false;
  }
}
