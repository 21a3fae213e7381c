package dev.temperstore.lifecycle;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.testing.RuntimeRoleTest;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;

/**
 * A store serving as the NOBYPASSRLS runtime role, its sweeper off (a test sweeps when it says so), and a client of
 * it: what the lifecycle tests share.
 */
abstract class LifecycleStoreTest extends RuntimeRoleTest {

  protected StoreClient client;

  @BeforeEach
  void deployStore() {
    vertx.deployVerticle(new StoreVerticle(settings())).await();
    client = StoreClient.create(vertx);
  }

  /** The store's settings; a test class may change more of them. */
  protected StoreSettings settings() {
    return StoreSettings.defaults(database.asOwner()).withServing(database.as(role))
        .withSweep(new SweepSettings(Duration.ZERO, 1000));
  }
}
