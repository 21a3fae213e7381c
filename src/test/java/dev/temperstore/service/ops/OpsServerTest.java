package dev.temperstore.service.ops;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpsServerTest extends DatabaseTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<Pool> pools = new ArrayList<>();
  private HttpServer server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close().await();
    }
    pools.forEach(pool -> pool.close().await());
  }

  @Test
  void readiness_is_down_until_the_store_serves_and_up_after_while_liveness_is_always_up() {
    Readiness readiness = new Readiness(pool(database.asOwner()));
    int port = listen(readiness);

    Reply before = get(port, "/health/ready");
    Reply live = get(port, "/health/live");
    readiness.serving();
    Reply after = get(port, "/health/ready");
    readiness.stopping();
    Reply stopping = get(port, "/health/ready");

    assertThat(before.status()).isEqualTo(503);
    assertThat(new JsonObject(before.body()).getJsonObject("checks").getString("migrations")).startsWith("DOWN");
    assertThat(live.status()).isEqualTo(200);
    assertThat(after.status()).isEqualTo(200);
    assertThat(new JsonObject(after.body())).isEqualTo(new JsonObject().put("status", "UP")
        .put("checks", new JsonObject().put("migrations", "UP").put("database", "UP")));
    assertThat(stopping.status()).isEqualTo(503);
  }

  @Test
  void readiness_is_down_when_the_database_does_not_answer() {
    DatabaseTarget nowhere = new DatabaseTarget(new PgConnectOptions().setHost("127.0.0.1").setPort(1)
        .setUser("nobody").setDatabase("nothing"), Duration.ofSeconds(1));
    Readiness readiness = new Readiness(pool(nowhere));
    readiness.serving();
    int port = listen(readiness);

    Reply ready = get(port, "/health/ready");

    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.body()).as("the readiness reply, a JSON object").startsWith("{"); // shows it should it not be
    assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("database")).startsWith("DOWN: ");
  }

  @Test
  void metrics_count_requests_per_address_and_outcome_and_the_appends_queue_waits_and_statements_after_traffic() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()), registry)).await();
    StoreClient client = StoreClient.create(vertx);
    PersistenceId order = PersistenceId.parse("acme:Order:o-1");
    client.append(order, 0, events(2)).await().atMost(Duration.ofSeconds(30));
    client.read(order, 0, 10).await().atMost(Duration.ofSeconds(30));
    assertThatThrownBy(() -> client.append(order, 0, events(1)).await().atMost(Duration.ofSeconds(30)))
        .isInstanceOf(ConcurrencyConflict.class);
    int port = listen(new Readiness(pool(database.asOwner())));

    Reply metrics = get(port, "/metrics");

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("temper_store_requests_seconds_count{address=\"temper.store.events.append\",outcome=\"ok\"} 1\n")
        .contains("temper_store_requests_seconds_count{address=\"temper.store.events.append\",outcome=\"409\"} 1\n")
        .contains("temper_store_requests_seconds_count{address=\"temper.store.events.read\",outcome=\"ok\"} 1\n")
        // the two appends each waited in the queue once; the first went in one statement, the plain INSERT, and the
        // second in two: the INSERT, which its stream was not ready for, then the function that refused it
        .contains("temper_store_append_queued_seconds_count 2\n")
        .contains("temper_store_append_statements_seconds_count 3\n")
        .contains("temper_store_append_statements_seconds_bucket{le=\"+Inf\"} 3\n")
        .contains("temper_store_append_statement_requests_sum 3.0\n");
  }

  @Test
  void other_paths_are_not_found_and_other_methods_not_allowed() {
    int port = listen(new Readiness(pool(database.asOwner())));

    assertThat(get(port, "/admin").status()).isEqualTo(404);
    assertThat(request(port, HttpMethod.POST, "/metrics").status()).isEqualTo(405);
  }

  private int listen(Readiness readiness) {
    server = new OpsServer(readiness, registry).listen(vertx, "127.0.0.1", 0).await();
    return server.actualPort();
  }

  private Pool pool(DatabaseTarget target) {
    Pool pool = target.pool(vertx, 1);
    pools.add(pool);
    return pool;
  }

  private Reply get(int port, String path) {
    return request(port, HttpMethod.GET, path);
  }

  private Reply request(int port, HttpMethod method, String path) {
    HttpClient client = vertx.createHttpClient();
    try {
      return client.request(method, port, "127.0.0.1", path)
          .compose(request -> request.send())
          .compose(response -> response.body().map(body -> new Reply(response.statusCode(), body.toString())))
          .await();
    } finally {
      client.close().await();
    }
  }

  private record Reply(int status, String body) {
  }
}
