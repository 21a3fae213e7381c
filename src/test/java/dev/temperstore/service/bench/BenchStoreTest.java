package dev.temperstore.service.bench;

import dev.temperstore.client.StoreClient;
import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.testing.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class BenchStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void a_store_deployed_again_on_its_bench_database_opens_what_the_last_deployment_sealed() throws Exception {
    StoreConfig config = ConfigLoader.load(Optional.empty());
    try (BenchDatabase database = BenchDatabase.create(vertx, PostgresServer.get().superuser("postgres"))) {
      StoreClient[] client = {null};
      BenchClients capturing = (on, settings) -> {
        BenchClients.Opened opened = BenchClients.BUS.open(on, settings);
        client[0] = opened.client();
        return opened;
      };
      try (BenchStore first = BenchStore.start(vertx, database, config, capturing)) {
        client[0].put("bench", "api-key", "plain-text-of-the-first-slice").await().atMost(WAIT);
      }
      try (BenchStore second = BenchStore.start(vertx, database, config, capturing)) {
        assertEquals(Optional.of("plain-text-of-the-first-slice"),
            client[0].get("bench", "api-key").await().atMost(WAIT));
      }
      Pool pool = database.target().pool(vertx, 1);
      try {
        Row row = pool.query("SELECT encode(ciphertext, 'escape') AS stored FROM tenant_secrets"
            + " WHERE tenant = 'bench' AND key_name = 'api-key'").execute().await().iterator().next();
        assertFalse(row.getString("stored").contains("plain-text-of-the-first-slice"), "stored sealed");
      } finally {
        pool.close().await();
      }
    }
  }
}
