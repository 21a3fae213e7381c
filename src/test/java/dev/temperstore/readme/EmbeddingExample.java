package dev.temperstore.readme;

import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.events.EventMetadata;
import dev.temperstore.events.EventPage;
import dev.temperstore.events.NewEvent;
import dev.temperstore.tenancy.PersistenceId;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

public final class EmbeddingExample {

  /** Configuration from a map: the PostgreSQL URL is the one key without a default. */
  static StoreConfig fromMap(String databaseUrl) {
    return ConfigLoader.fromProperties(Map.of("temper.database.url", databaseUrl, "temper.server.instances", "2"));
  }

  /** Or from the configuration sources the application already has (its temper.* keys, our defaults below). */
  static StoreConfig fromApplicationConfig() {
    return ConfigLoader.from(new SmallRyeConfigBuilder().addDefaultSources().build());
  }

  /** Deploys the store, waits until it serves, then appends and reads. Blocking: call it from main, not a verticle. */
  static EventPage run(Vertx vertx, StoreConfig config) {
    // The store serves once its migration has completed: wait for the deployment before the first request.
    vertx.deployVerticle(() -> new StoreVerticle(config), new DeploymentOptions().setInstances(2)).await();

    // Raw JSON message: JSON in, JSON out; a failure is a ReplyException with a code (docs/protocol.md).
    JsonObject append = new JsonObject()
        .put("persistenceId", "acme:Order:o-1")
        .put("expectedSequence", 0)
        .put("events", new JsonArray().add(new JsonObject()
            .put("eventType", "OrderPlaced")
            .put("payload", new JsonObject().put("total", 1999))
            .put("metadata", new JsonObject().put("eventId", UUID.randomUUID().toString()).put("actorId", "user-7"))));
    JsonObject reply = vertx.eventBus().<JsonObject>request("temper.store.events.append", append).await().body();
    long sequence = reply.getLong("sequenceNr"); // 1

    // Typed client (Mutiny Uni): the EventStore, SnapshotStore and SecretStore APIs with the store's exceptions.
    StoreClient store = StoreClient.create(vertx);
    PersistenceId order = PersistenceId.parse("acme:Order:o-1");
    store.append(order, sequence, List.of(new NewEvent("OrderPaid", new JsonObject().put("via", "card"),
            EventMetadata.root(UUID.randomUUID(), "user-7"))))
        .await().atMost(Duration.ofSeconds(30));
    return store.read(order, 0, 100).await().atMost(Duration.ofSeconds(30));
  }
}
