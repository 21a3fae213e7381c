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
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Eventually;
import dev.temperstore.testing.MigratedDatabase;
import dev.temperstore.testing.Sql;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** subscriptions.join and subscriptions.leave: what each answers, what each refuses, and what the table holds. */
class ConsumerGroupApiTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  /** Deliverers off: these tests look at members only. */
  private static final SubscriptionSettings NOT_DELIVERING = SubscriptionSettings.defaults().withEnabled(false);

  private StoreClient deploy(SubscriptionSettings subscriptions) {
    vertx.deployVerticle(new StoreVerticle(StoreSettings.defaults(database.asOwner())
        .withSubscriptions(subscriptions))).await();
    return StoreClient.create(vertx);
  }

  private static Subscription subscription(String tenant, String name) {
    return new Subscription(tenant, name, "app." + name, FeedFilter.ALL, FeedPosition.START);
  }

  @Test
  void a_join_adds_a_member_with_a_lease_a_second_renews_it_list_shows_it_and_leave_removes_it() {
    StoreClient client = deploy(NOT_DELIVERING);
    await(client.createSubscription(subscription("acme", "orders")));
    Instant before = Instant.now();

    MemberLease first = await(client.joinSubscription("acme", "orders", "worker-1", "app.worker-1"));
    MemberLease renewed = await(client.joinSubscription("acme", "orders", "worker-1", "app.worker-1b"));
    await(client.joinSubscription("acme", "orders", "worker-2", "app.worker-2"));

    assertThat(first.joined()).isTrue();
    assertThat(first.lease()).isEqualTo(SubscriptionSettings.DEFAULT_MEMBER_LEASE);
    assertThat(first.expiresAt()).isAfter(before.plusSeconds(5)).isBefore(Instant.now().plusSeconds(11));
    assertThat(renewed.joined()).isFalse();
    assertThat(renewed.expiresAt()).isAfterOrEqualTo(first.expiresAt());
    List<Row> rows = database.admin().rows("SELECT member, address FROM temper_store_subscription_members"
        + " WHERE tenant = 'acme' AND subscription = 'orders' ORDER BY member");
    assertThat(rows).extracting(row -> row.getString(0) + " " + row.getString(1))
        .containsExactly("worker-1 app.worker-1b", "worker-2 app.worker-2");
    SubscriptionStatus listed = await(client.listSubscriptions("acme")).get(0);
    assertThat(listed.members()).extracting(SubscriptionMember::name, SubscriptionMember::address)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("worker-1", "app.worker-1b"),
            org.assertj.core.groups.Tuple.tuple("worker-2", "app.worker-2"));
    assertThat(listed.members().get(0).expiresAt()).isEqualTo(renewed.expiresAt());

    assertThat(await(client.leaveSubscription("acme", "orders", "worker-1"))).isTrue();
    assertThat(await(client.leaveSubscription("acme", "orders", "worker-1"))).isFalse();
    assertThat(database.admin().strings("SELECT member FROM temper_store_subscription_members"))
        .containsExactly("worker-2");
  }

  @Test
  void a_join_to_a_subscription_the_tenant_does_not_have_is_a_404_and_writes_nothing() {
    StoreClient client = deploy(NOT_DELIVERING);
    await(client.createSubscription(subscription("beta", "orders")));

    assertThatThrownBy(() -> await(client.joinSubscription("acme", "orders", "worker-1", "app.worker-1")))
        .isInstanceOf(NotFound.class).hasMessage("no subscription acme:orders");
    assertThatThrownBy(() -> await(client.joinSubscription("beta", "invoices", "worker-1", "app.worker-1")))
        .isInstanceOf(NotFound.class).hasMessage("no subscription beta:invoices");
    assertThat(await(client.leaveSubscription("acme", "orders", "worker-1"))).isFalse();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_subscription_members")).isZero();
  }

  @Test
  void beyond_the_most_live_members_a_join_is_a_429_but_a_renewal_and_a_join_after_a_lease_ended_are_not() {
    StoreClient client = deploy(NOT_DELIVERING.withMembers(Duration.ofSeconds(1), 2));
    await(client.createSubscription(subscription("acme", "orders")));
    await(client.joinSubscription("acme", "orders", "a", "app.a"));
    await(client.joinSubscription("acme", "orders", "b", "app.b"));

    assertThatThrownBy(() -> await(client.joinSubscription("acme", "orders", "c", "app.c")))
        .isInstanceOf(OverBudget.class)
        .hasMessage("subscription acme:orders already has 2 live members, the most it may have"
            + " (temper.subscriptions.max-members): c cannot join until one leaves");
    assertThat(await(client.joinSubscription("acme", "orders", "b", "app.b")).joined()).isFalse();
    assertThat(database.admin().strings("SELECT member FROM temper_store_subscription_members ORDER BY 1"))
        .containsExactly("a", "b");

    Eventually.eventually(TIMEOUT, "the leases ended", () -> await(client.listSubscriptions("acme")).get(0)
        .members().isEmpty());
    assertThat(await(client.joinSubscription("acme", "orders", "c", "app.c")).joined()).isTrue();
    assertThat(await(client.joinSubscription("acme", "orders", "a", "app.a")).joined()).isTrue();
    assertThat(database.admin().strings("SELECT member FROM temper_store_subscription_members ORDER BY 1"))
        .as("ended leases are cleared by the next join").containsExactly("a", "c");
  }

  @Test
  void an_address_another_live_member_delivers_to_is_a_409_naming_that_member() {
    StoreClient client = deploy(NOT_DELIVERING);
    await(client.createSubscription(subscription("acme", "orders")));
    await(client.joinSubscription("acme", "orders", "worker-1", "app.shared"));

    assertThatThrownBy(() -> await(client.joinSubscription("acme", "orders", "worker-2", "app.shared")))
        .isInstanceOfSatisfying(ConcurrencyConflict.class, e -> assertThat(e.code()).isEqualTo(409))
        .hasMessage("member worker-1 of subscription acme:orders already delivers to app.shared: give each member"
            + " an address of its own");
    assertThat(database.admin().strings("SELECT member FROM temper_store_subscription_members"))
        .containsExactly("worker-1");
  }

  @Test
  void deleting_a_subscription_removes_its_members_and_re_creating_it_starts_with_none() {
    StoreClient client = deploy(NOT_DELIVERING);
    await(client.createSubscription(subscription("acme", "orders")));
    await(client.createSubscription(subscription("acme", "invoices")));
    await(client.joinSubscription("acme", "orders", "worker-1", "app.worker-1"));
    await(client.joinSubscription("acme", "invoices", "worker-1", "app.worker-1"));

    await(client.deleteSubscription("acme", "orders"));
    await(client.createSubscription(subscription("acme", "orders")));

    assertThat(database.admin().strings("SELECT subscription FROM temper_store_subscription_members"))
        .containsExactly("invoices");
    assertThat(await(client.listSubscriptions("acme"))).extracting(status -> status.members().size())
        .containsExactly(1, 0);
  }

  @Test
  void through_the_runtime_role_a_tenant_can_neither_join_nor_see_nor_write_another_tenants_members() {
    String role = MigratedDatabase.createServingRole(database);
    StoreSettings granted = StoreSettings.defaults(database.asOwner()).withServing(database.as(role)).withPoolSize(2)
        .withSubscriptions(NOT_DELIVERING);
    vertx.deployVerticle(new StoreVerticle(granted)).await();
    StoreClient client = StoreClient.create(vertx);
    await(client.createSubscription(subscription("beta", "orders")));
    await(client.joinSubscription("beta", "orders", "worker-b", "app.worker-b"));

    assertThatThrownBy(() -> await(client.joinSubscription("alpha", "orders", "intruder", "app.intruder")))
        .isInstanceOf(NotFound.class).hasMessage("no subscription alpha:orders");
    assertThat(await(client.leaveSubscription("alpha", "orders", "worker-b"))).isFalse();
    assertThat(await(client.listSubscriptions("alpha"))).isEmpty();
    assertThat(await(client.listSubscriptions("beta")).get(0).members()).extracting(SubscriptionMember::name)
        .containsExactly("worker-b");

    assertThat(membersVisibleAs(role, "alpha")).isZero();
    assertThat(membersVisibleAs(role, "beta")).isEqualTo(1);
    try (Sql asRole = database.sqlAs(role)) {
      assertThatThrownBy(() -> asRole.execute("SELECT set_config('app.current_tenant', 'alpha', true);"
          + " INSERT INTO temper_store_subscription_members (tenant, subscription, member, address, expires_at)"
          + " VALUES ('beta', 'orders', 'intruder', 'app.intruder', now() + interval '1 hour')"))
          .isInstanceOf(PgException.class).hasMessageContaining("row-level security");
      assertThatThrownBy(() -> asRole.execute("SELECT set_config('app.current_tenant', 'alpha', true);"
          + " INSERT INTO temper_store_subscription_members (tenant, subscription, member, address, expires_at)"
          + " VALUES ('alpha', 'orders', 'intruder', 'app.intruder', now() + interval '1 hour')"))
          .as("a member of alpha cannot hang off beta's subscription").isInstanceOf(PgException.class)
          .hasMessageContaining("foreign key");
    }
    assertThat(database.admin().strings("SELECT tenant || ':' || member FROM temper_store_subscription_members"))
        .containsExactly("beta:worker-b");
  }

  static Stream<Object[]> badRequests() {
    JsonObject join = new JsonObject().put("tenant", "acme").put("name", "orders").put("member", "m-1")
        .put("address", "app.m-1");
    JsonObject leave = new JsonObject().put("tenant", "acme").put("name", "orders").put("member", "m-1");
    return Stream.of(
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, without(join, "member"), "member is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("member", "a b"), "member: a member name is"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("member", "-m"), "member: a member name is"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("member", "m".repeat(129)),
            "member is longer than 128 characters"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("member", "m\u0000"), "member contains a NUL"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("member", 7), "member must be a string"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("name", "a/b"), "name: a subscription name is"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("tenant", "a:b"), "tenant: invalid tenant"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, without(join, "address"), "address is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("address", "x".repeat(257)),
            "address is longer than 256 characters"},
        new Object[] {Addresses.SUBSCRIPTIONS_JOIN, join.copy().put("address", "temper.store.subscriptions.list"),
            "address must not be one of the store's own addresses"},
        new Object[] {Addresses.SUBSCRIPTIONS_LEAVE, without(leave, "member"), "member is missing"},
        new Object[] {Addresses.SUBSCRIPTIONS_LEAVE, leave.copy().put("member", ""), "member must not be empty"},
        new Object[] {Addresses.SUBSCRIPTIONS_LEAVE, without(leave, "tenant"), "tenant is missing"});
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void a_bad_join_or_leave_is_a_400_naming_the_field_and_changes_nothing(String operation, JsonObject body,
                                                                        String message) {
    StoreClient client = deploy(NOT_DELIVERING);
    await(client.createSubscription(subscription("acme", "orders")));
    await(client.joinSubscription("acme", "orders", "m-1", "app.m-1"));

    assertThatThrownBy(() -> vertx.eventBus().request(Addresses.defaults().of(operation), body).await())
        .isInstanceOfSatisfying(ReplyException.class, e -> {
          assertThat(e.failureCode()).isEqualTo(InvalidRequest.CODE);
          assertThat(new JsonObject(e.getMessage()).getString("message")).startsWith(message);
        });
    assertThat(database.admin().strings("SELECT member || ' ' || address FROM temper_store_subscription_members"))
        .containsExactly("m-1 app.m-1");
  }

  /** Members the role sees in a transaction with {@code tenant} set, as every store function sets it. */
  private long membersVisibleAs(String role, String tenant) {
    Pool pool = database.as(role).pool(vertx, 1);
    try {
      return pool.withTransaction(connection -> connection
          .preparedQuery("SELECT set_config('app.current_tenant', $1, true)").execute(Tuple.of(tenant))
          .compose(ignored -> connection.query("SELECT count(*) FROM temper_store_subscription_members").execute())
          .map(rows -> rows.iterator().next().getLong(0))).await();
    } finally {
      pool.close().await();
    }
  }

  private static JsonObject without(JsonObject body, String field) {
    JsonObject copy = body.copy();
    copy.remove(field);
    return copy;
  }

}
