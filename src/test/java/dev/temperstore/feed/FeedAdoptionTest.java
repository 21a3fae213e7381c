package dev.temperstore.feed;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.Sql;
import dev.temperstore.testing.TemperDatabases;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The feed on a database Temper wrote, and on one restored from another cluster. */
class FeedAdoptionTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;

  @Override
  protected boolean migrated() {
    return false;
  }

  @Test
  void an_adopted_temper_database_feeds_its_existing_rows_first_in_id_order_then_new_ones() {
    try (Sql temper = new Sql(vertx, database.asOwner())) {
      TemperDatabases.leaveComplete(temper);
      for (String stream : new String[] {"b", "a", "c"}) {
        temper.rows("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
            + " VALUES ('acme', 'Order', $1, 1, 'Old', '{}', ($2::text)::jsonb)", stream,
            Events.event("Old", 1).metadata().toStorageJson());
      }
    }
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()))).await();
    StoreClient client = StoreClient.create(vertx);
    client.append(PersistenceId.parse("acme:Order:new"), 0, Events.events(1)).await().atMost(TIMEOUT);

    FeedPage page = client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10).await().atMost(TIMEOUT);

    assertThat(page.events()).extracting(e -> e.persistenceId().entityId()).containsExactly("b", "a", "c", "new");
    assertThat(page.events().get(0).position().tx()).isZero();
    assertThat(page.events().get(3).position().tx()).isPositive();
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tx_id IS NULL")).isEqualTo(3);
  }

  @Test
  void rows_from_a_cluster_further_along_stop_the_start_with_what_to_do() {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()))).await();
    StoreClient.create(vertx).append(PersistenceId.parse("acme:Order:o"), 0, Events.events(1)).await().atMost(TIMEOUT);
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    database.admin().execute("UPDATE events SET tx_id = '4000000000000'::xid8"); // as a logical restore leaves it

    assertThatThrownBy(() -> vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner())))
        .await())
        .hasMessageContaining("the feed's order is broken: events were written by transaction 4000000000000")
        .hasMessageContaining("UPDATE events SET tx_id = NULL");

    database.admin().execute("UPDATE events SET tx_id = NULL WHERE tx_id IS NOT NULL");
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner()))).await();
  }
}
