package dev.temperstore.feed.subscriptions;

import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.config.ConfigLoader;
import dev.temperstore.config.StoreConfig;
import dev.temperstore.feed.FeedEvent;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

import java.util.Map;

/**
 * A store replica in a JVM of its own, for {@link SubscriptionReplicasIT}: it deploys the store on the database
 * named by its first argument (not clustered: its event bus is its own) and consumes the subscription address
 * named by its second, printing one line per delivered event before acknowledging it, so that what it printed
 * is what the store may count as delivered, even when the process is killed.
 */
public final class ReplicaProcess {

  static final String READY = "replica ready";
  static final String DELIVERED = "delivered ";
  /** How often a replica looks for unclaimed subscriptions: the takeover bound the test holds it to. */
  static final String CLAIM_INTERVAL = "500ms";

  private ReplicaProcess() {
  }

  public static void main(String[] args) {
    String databaseUrl = args[0];
    String address = args[1];
    StoreConfig config = ConfigLoader.fromProperties(Map.of(
        "temper.database.url", databaseUrl,
        "temper.server.instances", "1",
        "temper.subscriptions.claim-interval", CLAIM_INTERVAL,
        "temper.subscriptions.poll-interval", "200ms",
        "temper.subscriptions.retry-delay", "100ms",
        "temper.subscriptions.checkpoint-interval", "50ms"));
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new StoreVerticle(config), new DeploymentOptions().setInstances(1)).await();
    StoreClient.create(vertx).subscribe(address).subscribe().with(delivery -> {
      FeedEvent event = delivery.event();
      System.out.println(DELIVERED + event.position() + " " + event.persistenceId() + " " + event.event().sequenceNr());
      System.out.flush();
      delivery.ack();
    });
    System.out.println(READY);
    System.out.flush();
  }
}
