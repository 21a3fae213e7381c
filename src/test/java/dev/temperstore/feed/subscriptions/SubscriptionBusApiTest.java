package dev.temperstore.feed.subscriptions;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.ConcurrencyConflict;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.errors.NotFound;
import dev.temperstore.errors.OverBudget;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.protocol.Addresses;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The subscriptions.* addresses: what each answers, what each refuses, and what the table then holds. */
class SubscriptionBusApiTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;

  private StoreClient client;

  @BeforeEach
  void storeDeployed() {
    // Deliverers off: these tests look at definitions and checkpoints only.
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner())
        .withSubscriptions(SubscriptionSettings.defaults().withEnabled(false)))).await();
    client = StoreClient.create(vertx);
  }

  @Test
  void create_is_idempotent_for_the_same_definition_and_a_409_for_another_and_the_row_holds_the_definition() {
    Subscription orders = new Subscription("acme", "orders-projection", "app.orders",
        new FeedFilter(Set.of("Order", "Invoice"), Set.of()), new FeedPosition(0, 0));

    assertThat(await(client.createSubscription(orders))).isTrue();
    assertThat(await(client.createSubscription(new Subscription("acme", "orders-projection", "app.orders",
        new FeedFilter(Set.of("Invoice", "Order"), Set.of()), FeedPosition.START)))).isFalse();
    assertThatThrownBy(() -> await(client.createSubscription(new Subscription("acme", "orders-projection",
        "app.other", orders.filter(), FeedPosition.START))))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, e -> assertThat(e.code()).isEqualTo(409))
        .hasMessage("subscription acme:orders-projection exists with another definition (address: app.orders,"
            + " filter: entityTypes [Invoice, Order], eventTypes [], from: 0:0): delete it first, or choose another"
            + " name");

    List<Row> rows = database.admin().rows("SELECT address, entity_types::text, event_types::text, checkpoint_tx,"
        + " checkpoint_id FROM temper_store_subscriptions WHERE tenant = 'acme'");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getString(0)).isEqualTo("app.orders");
    assertThat(rows.get(0).getString(1)).isEqualTo("{Invoice,Order}");
    assertThat(rows.get(0).getString(2)).isEqualTo("{}");
    assertThat(rows.get(0).getLong(3)).isZero();
  }

  @Test
  void list_shows_checkpoint_and_lag_reset_moves_the_checkpoint_and_delete_removes_the_row() {
    await(client.append(PersistenceId.parse("acme:Order:o-1"), 0, Events.events(3)));
    await(client.append(PersistenceId.parse("acme:Invoice:i-1"), 0, Events.events(2)));
    await(client.createSubscription(new Subscription("acme", "orders", "app.orders", FeedFilter.entityTypes("Order"),
        FeedPosition.START)));
    await(client.createSubscription(new Subscription("acme", "all", "app.all", FeedFilter.ALL, FeedPosition.START)));
    FeedPosition second = await(client.readAll("acme", FeedPosition.START, FeedFilter.entityTypes("Order"), 2)).next();

    await(client.resetSubscription("acme", "orders", second));
    List<SubscriptionStatus> listed = await(client.listSubscriptions("acme"));

    assertThat(listed).extracting(SubscriptionStatus::name).containsExactly("all", "orders");
    assertThat(listed.get(0).lagEvents()).isEqualTo(5);
    assertThat(listed.get(0).lagSeconds()).isGreaterThanOrEqualTo(0);
    assertThat(listed.get(1).checkpoint()).isEqualTo(second);
    assertThat(listed.get(1).lagEvents()).isEqualTo(1);
    assertThat(listed.get(1).filter()).isEqualTo(FeedFilter.entityTypes("Order"));
    assertThat(await(client.listSubscriptions("other"))).isEmpty();
    assertThat(database.admin().rows("SELECT checkpoint_tx, checkpoint_id FROM temper_store_subscriptions"
        + " WHERE name = 'orders'").get(0).getLong(1)).isEqualTo(second.id());

    assertThat(await(client.deleteSubscription("acme", "orders"))).isTrue();
    assertThat(await(client.deleteSubscription("acme", "orders"))).isFalse();
    assertThatThrownBy(() -> await(client.resetSubscription("acme", "orders", FeedPosition.START)))
        .isInstanceOf(NotFound.class).hasMessage("no subscription acme:orders");
    assertThat(database.admin().strings("SELECT name FROM temper_store_subscriptions")).containsExactly("all");
  }

  @Test
  void a_tenant_over_its_budget_of_subscriptions_is_refused_with_429() {
    vertx.deploymentIDs().forEach(id -> vertx.undeploy(id).await());
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner())
        .withSubscriptions(new SubscriptionSettings(false, 64, Duration.ofSeconds(30), Duration.ofSeconds(1), 100,
            Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofSeconds(5), 2,
            Duration.ofSeconds(10), 100))))
        .await();
    await(client.createSubscription(new Subscription("acme", "a", "x.a", FeedFilter.ALL, FeedPosition.START)));
    await(client.createSubscription(new Subscription("acme", "b", "x.b", FeedFilter.ALL, FeedPosition.START)));

    assertThatThrownBy(() -> await(client.createSubscription(
        new Subscription("acme", "c", "x.c", FeedFilter.ALL, FeedPosition.START))))
        .isInstanceOf(OverBudget.class)
        .hasMessageStartingWith("tenant acme already has 2 subscriptions, the most it may have");
    assertThat(await(client.createSubscription(
        new Subscription("other", "c", "x.c", FeedFilter.ALL, FeedPosition.START)))).isTrue();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_subscriptions")).isEqualTo(3);
  }

  static Stream<Object[]> badRequests() {
    JsonObject create = new JsonObject().put("tenant", "acme").put("name", "n").put("address", "app.n");
    return Stream.of(
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("tenant", 7), "tenant must be a string"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().putNull("name"), "name is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("name", "a b"), "name: a subscription name is"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().putNull("address"), "address is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("address", "x".repeat(257)),
            "address is longer than 256 characters"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("address", "temper.store.events.append"),
            "address must not be one of the store's own addresses"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("entityTypes", "Order"),
            "entityTypes must be a JSON array of strings"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("eventTypes", new JsonArray().add("")),
            "eventTypes[0] must be a non-empty string"},
        new Object[] {Addresses.SUBSCRIPTIONS_CREATE, create.copy().put("from", "12"), "from is not a feed position"},
        new Object[] {Addresses.SUBSCRIPTIONS_LIST, new JsonObject(), "tenant is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_LIST, new JsonObject().put("tenant", ""), "tenant must not be empty"},
        new Object[] {Addresses.SUBSCRIPTIONS_RESET, new JsonObject().put("tenant", "acme").put("name", "n"),
            "position is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_RESET, new JsonObject().put("tenant", "acme").put("name", "n")
            .put("position", "-1:0"), "position is not a feed position"},
        new Object[] {Addresses.SUBSCRIPTIONS_RESET, new JsonObject().put("tenant", "acme").put("position", "0:0"),
            "name is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_DELETE, new JsonObject().put("tenant", "acme").put("name", 3),
            "name must be a string"},
        new Object[] {Addresses.SUBSCRIPTIONS_DELETE, new JsonObject().put("name", "n"), "tenant is missing"});
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void a_bad_input_is_a_400_naming_the_field_and_changes_nothing(String operation, JsonObject body, String message) {
    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.defaults().of(operation), body).await())
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(InvalidRequest.CODE);
          assertThat(new JsonObject(e.getMessage()).getString("message")).startsWith(message);
        });
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_subscriptions")).isZero();
  }

}
