package dev.temperstore.feed;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.errors.Forbidden;
import dev.temperstore.events.NewEvent;
import dev.temperstore.internal.bus.Endpoints;
import dev.temperstore.migration.RuntimeGrants;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.Await;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Events;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.FeedReader;
import dev.temperstore.testing.MigratedDatabase;
import dev.temperstore.testing.OutOfOrderWriters;
import dev.temperstore.testing.Sql;
import dev.temperstore.testing.TestDatabase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static dev.temperstore.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reads across tenants: served only as an operator role that row-level security does not confine, in the feed's
 * one order with its guarantee, audited once per request; the runtime role stays confined to one tenant.
 */
class AllTenantsFeedTest extends DatabaseTest {

  private static final Duration TIMEOUT = Await.TIMEOUT;
  private static final String READ_ALL = "temper.store.events.read-all";

  private String servingRole;
  private String operatorRole;
  private StoreClient client;

  @BeforeEach
  void rolesCreated() {
    servingRole = MigratedDatabase.createServingRole(database);
    operatorRole = database.createRole("LOGIN NOSUPERUSER BYPASSRLS");
    try (Sql owner = database.sqlAs(database.owner())) {
      owner.execute(String.join(";\n", RuntimeGrants.operatorStatements(database.name(), operatorRole)));
    }
    client = StoreClient.create(vertx);
  }

  @Test
  void an_operator_reads_every_tenants_events_in_one_order_page_by_page_while_tenant_reads_stay_confined() {
    deploy(settings().withOperator(database.as(operatorRole)));
    append("acme:Order:o-1", 0, 1);
    append("globex:Invoice:i-1", 0, 1);
    append("acme:Order:o-1", 1, 1);
    append("initech:Order:x-1", 0, 2);
    FeedHorizon.awaitPastEveryEvent(database);

    FeedPage first = await(client.readAllTenants(FeedPosition.START, FeedFilter.ALL, 3));
    FeedPage rest = await(client.readAllTenants(first.next(), FeedFilter.ALL, 10));
    FeedPage caughtUp = await(client.readAllTenants(rest.next(), FeedFilter.ALL, 10));
    FeedPage orders = await(client.readAllTenants(FeedPosition.START, FeedFilter.entityTypes("Order"), 10));
    FeedPage acmeOnly = await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10));

    assertThat(first.events()).extracting(AllTenantsFeedTest::shown)
        .containsExactly("acme:Order:o-1@1", "globex:Invoice:i-1@1", "acme:Order:o-1@2");
    assertThat(first.hasMore()).isTrue();
    assertThat(rest.events()).extracting(AllTenantsFeedTest::shown)
        .containsExactly("initech:Order:x-1@1", "initech:Order:x-1@2");
    assertThat(rest.hasMore()).isFalse();
    assertThat(caughtUp.events()).isEmpty();
    assertThat(caughtUp.next()).isEqualTo(rest.next());
    FeedReader.assertPositionsGrow(first, rest);
    assertThat(orders.events()).extracting(AllTenantsFeedTest::shown)
        .containsExactly("acme:Order:o-1@1", "acme:Order:o-1@2", "initech:Order:x-1@1", "initech:Order:x-1@2");
    assertThat(acmeOnly.events()).extracting(AllTenantsFeedTest::shown)
        .containsExactly("acme:Order:o-1@1", "acme:Order:o-1@2");
    assertThat(acmeOnly.events()).extracting(FeedEvent::position)
        .containsExactly(first.events().get(0).position(), first.events().get(2).position());
  }

  @Test
  void each_event_of_the_reply_names_its_tenant_and_positions_match_the_tenants_own_feed() {
    deploy(settings().withOperator(database.as(operatorRole)));
    append("acme:Order:o-1", 0, 1);
    append("globex:Order:o-1", 0, 1);
    FeedHorizon.awaitPastEveryEvent(database);

    JsonObject reply = vertx.eventBus().<JsonObject>request(READ_ALL, new JsonObject().put("allTenants", true))
        .await().body();
    FeedPage globex = await(client.readAll("globex", FeedPosition.START, FeedFilter.ALL, 10));

    JsonArray events = reply.getJsonArray("events");
    assertThat(events).hasSize(2);
    assertThat(events.getJsonObject(0).getString("tenant")).isEqualTo("acme");
    assertThat(events.getJsonObject(1).getString("tenant")).isEqualTo("globex");
    assertThat(events.getJsonObject(1).getString("persistenceId")).isEqualTo("globex:Order:o-1");
    assertThat(events.getJsonObject(1).getString("position")).isEqualTo(globex.events().get(0).position().toString());
    assertThat(reply.getBoolean("hasMore")).isFalse();
  }

  @Test
  void an_operator_asking_for_notices_reads_every_tenants_stream_notices_and_purge_notices_in_the_one_order() {
    deploy(settings().withOperator(database.as(operatorRole)));
    append("acme:Order:o-1", 0, 2);
    append("globex:Order:g-1", 0, 1);
    await(client.delete(PersistenceId.parse("acme:Order:o-1"), OptionalLong.empty(), "ops"));
    await(client.purgeTenant("globex", "ops"));
    FeedHorizon.awaitPastEveryEvent(database);

    assertThat(await(client.readAllTenants(FeedPosition.START, FeedFilter.ALL.withNotices(), 10)).events())
        .extracting(event -> shown(event) + " " + event.event().eventType())
        .containsExactly("acme:Order:o-1@2 $stream-deleted", "globex:$tenant:globex@0 $tenant-purged");
    assertThat(await(client.readAllTenants(FeedPosition.START, FeedFilter.ALL, 10)).events()).isEmpty();
    assertThat(await(client.readAllTenants(FeedPosition.START, FeedFilter.entityTypes("Invoice").withNotices(), 10))
        .events()).as("a purge concerns every entity type").extracting(event -> event.event().eventType())
        .containsExactly("$tenant-purged");
  }

  @Test
  void a_store_whose_operator_role_lacks_the_notices_grant_refuses_to_start_naming_the_table() {
    try (Sql owner = database.sqlAs(database.owner())) {
      owner.execute("REVOKE SELECT ON TABLE temper_store_notices FROM " + operatorRole);
    }

    assertThatThrownBy(() -> vertx.deployVerticle(new StoreVerticle(settings().withOperator(
        database.as(operatorRole)))).await())
        .hasMessageStartingWith("cannot serve all-tenant feed reads as ")
        .hasMessageContaining("permission denied for table temper_store_notices");
  }

  @Test
  void writers_of_several_tenants_committing_out_of_order_never_make_an_operator_miss_or_repeat_an_event()
      throws Exception {
    deploy(settings().withOperator(database.as(operatorRole)));
    CompletableFuture<List<String>> allWritten = OutOfOrderWriters.start(vertx, database.asOwner(), 6, 15, 23, 40,
        List.of("acme", "globex", "initech"));

    List<FeedEvent> seen = FeedReader.readWhileWriting(
        position -> await(client.readAllTenants(position, FeedFilter.ALL, 7)), allWritten, database);
    List<String> committed = allWritten.get();

    List<String> delivered = seen.stream().map(e -> ((JsonObject) e.event().payload()).getString("id")).toList();
    assertThat(delivered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(committed);
    assertThat(seen).extracting(e -> e.persistenceId().tenant()).containsOnly("acme", "globex", "initech")
        .contains("acme", "globex", "initech");
    Map<PersistenceId, Long> lastSequence = new HashMap<>();
    for (FeedEvent event : seen) {
      Long previous = lastSequence.put(event.persistenceId(), event.event().sequenceNr());
      assertThat(event.event().sequenceNr()).isEqualTo(previous == null ? 1 : previous + 1);
    }
  }

  @Test
  void every_all_tenant_read_is_audited_once_naming_caller_position_and_count_but_no_payload() {
    deploy(settings().withOperator(database.as(operatorRole)));
    append("acme:Order:o-1", 0, 1);
    append("globex:Order:o-1", 0, 2);
    FeedHorizon.awaitPastEveryEvent(database);
    ListAppender<ILoggingEvent> audit = auditLog();
    try {
      JsonObject request = new JsonObject().put("allTenants", true).put("after", "0:0").put("limit", 50)
          .put("entityTypes", new JsonArray().add("Order"));
      vertx.eventBus().request(READ_ALL, request,
          new DeliveryOptions().addHeader(Endpoints.CALLER_HEADER, "ops-console\nforged line")).await();
      await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10)); // one tenant: not audited

      assertThat(audit.list).hasSize(1);
      ILoggingEvent line = audit.list.get(0);
      assertThat(line.getLevel()).isEqualTo(Level.INFO);
      assertThat(line.getFormattedMessage())
          .startsWith("all-tenant feed read by ops-console\\u000Aforged line (after 0:0, limit 50, entity types Order):"
              + " 3 events of 2 tenants, next ")
          .doesNotContain("note").doesNotContain("actor-"); // neither payloads nor metadata
    } finally {
      detach(audit);
    }
  }

  @Test
  void without_an_operator_role_an_all_tenant_read_is_refused_with_403_naming_the_key_and_audited() {
    deploy(settings());
    append("acme:Order:o-1", 0, 1);
    FeedHorizon.awaitPastEveryEvent(database);
    ListAppender<ILoggingEvent> audit = auditLog();
    try {
      assertThatThrownBy(() -> await(client.readAllTenants(FeedPosition.START, FeedFilter.ALL, 10)))
          .isInstanceOf(Forbidden.class)
          .hasMessage("all-tenant feed reads are not enabled on this store: set temper.database.operator-url"
              + " (TEMPER_DATABASE_OPERATOR_URL) to a role that may read every tenant");

      assertThat(audit.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
          "all-tenant feed read by an unnamed event-bus sender (after 0:0, limit 10): not served, 403 all-tenant"
              + " feed reads are not enabled on this store: set temper.database.operator-url"
              + " (TEMPER_DATABASE_OPERATOR_URL) to a role that may read every tenant");
    } finally {
      detach(audit);
    }
    assertThat(await(client.readAll("acme", FeedPosition.START, FeedFilter.ALL, 10)).events()).hasSize(1);
  }

  @Test
  void the_runtime_role_may_not_read_across_tenants_even_by_calling_the_function_itself() {
    append(database, "acme", "globex");
    FeedHorizon.awaitPastEveryEvent(database);

    try (Sql runtime = database.sqlAs(servingRole)) {
      assertThatThrownBy(() -> runtime.count(
          "SELECT count(*) FROM temper_store_read_feed_all_tenants(0, 0, NULL, NULL, 10)"))
          .isInstanceOfSatisfying(PgException.class, e -> {
            assertThat(e.getSqlState()).isEqualTo("42501");
            assertThat(e.getErrorMessage()).isEqualTo("role " + servingRole
                + " may not read every tenant: row-level security applies to it on events");
          });
      assertThat(runtime.count("SELECT count(*) FROM events")).isZero(); // no tenant set: no rows at all
    }
    try (Sql operator = database.sqlAs(operatorRole)) {
      assertThat(operator.strings("SELECT DISTINCT tenant FROM temper_store_read_feed_all_tenants(0, 0, NULL, NULL,"
          + " 10) ORDER BY 1")).containsExactly("acme", "globex");
    }
  }

  @Test
  void a_store_whose_operator_role_is_confined_by_row_level_security_refuses_to_start_naming_the_key() {
    StoreSettings confined = settings().withOperator(database.as(servingRole));

    assertThatThrownBy(() -> vertx.deployVerticle(new StoreVerticle(confined)).await())
        .hasMessageStartingWith("cannot serve all-tenant feed reads as " + database.as(servingRole).describe()
            + " (temper.database.operator-url): ")
        .hasMessageContaining("role " + servingRole + " may not read every tenant");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  @Test
  void a_store_whose_operator_role_lacks_the_lifecycle_grants_refuses_to_start_naming_the_table() {
    try (Sql owner = database.sqlAs(database.owner())) {
      owner.execute("REVOKE SELECT ON TABLE temper_store_streams FROM " + operatorRole);
    }

    assertThatThrownBy(() -> vertx.deployVerticle(new StoreVerticle(settings().withOperator(
        database.as(operatorRole)))).await())
        .hasMessageStartingWith("cannot serve all-tenant feed reads as ")
        .hasMessageContaining("permission denied for table temper_store_streams");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  @Test
  void the_tables_owner_may_serve_all_tenant_reads_while_row_level_security_is_not_forced_on_it() {
    deploy(settings().withOperator(database.asOwner()));
    append("acme:Order:o-1", 0, 1);
    append("globex:Order:o-1", 0, 1);
    FeedHorizon.awaitPastEveryEvent(database);

    assertThat(await(client.readAllTenants(FeedPosition.START, FeedFilter.ALL, 10)).events())
        .extracting(AllTenantsFeedTest::shown).containsExactly("acme:Order:o-1@1", "globex:Order:o-1@1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badScopes")
  void a_request_naming_both_or_neither_of_tenant_and_all_tenants_is_refused_with_400(String body, String message) {
    deploy(settings().withOperator(database.as(operatorRole)));
    ListAppender<ILoggingEvent> audit = auditLog();
    try {
      ReplyException failure = failure(new JsonObject(body));

      assertThat(failure.failureCode()).isEqualTo(400);
      assertThat(new JsonObject(failure.getMessage()).getString("message")).isEqualTo(message);
      assertThat(audit.list).isEmpty(); // refused at the gate: nothing was asked of the database
    } finally {
      detach(audit);
    }
  }

  static Stream<Arguments> badScopes() {
    String neither = "tenant is missing (or send \"allTenants\": true to read every tenant, as an operator)";
    return Stream.of(
        Arguments.of("{\"tenant\": \"acme\", \"allTenants\": true}",
            "tenant and \"allTenants\": true exclude each other: name one tenant, or read every tenant"),
        Arguments.of("{}", neither),
        Arguments.of("{\"allTenants\": false}", neither),
        Arguments.of("{\"allTenants\": \"true\"}",
            "allTenants must be true or false, got a string"),
        Arguments.of("{\"allTenants\": true, \"limit\": 0}",
            "limit must be between 1 and 1000, got 0"),
        Arguments.of("{\"allTenants\": true, \"after\": \"7\"}",
            "after is not a feed position (\"tx:id\", e.g. \"0:0\"): \"7\""));
  }

  private StoreSettings settings() {
    return StoreSettings.defaults(database.asOwner()).withServing(database.as(servingRole)).withPoolSize(2);
  }

  private void deploy(StoreSettings settings) {
    vertx.deployVerticle(new StoreVerticle(settings)).await();
  }

  private void append(String persistenceId, long expected, int count) {
    List<NewEvent> events = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      events.add(Events.event("E", (int) expected + i));
    }
    await(client.append(PersistenceId.parse(persistenceId), expected, events));
  }

  /** One event for each tenant, written as the owner, without a store. */
  private static void append(TestDatabase database, String... tenants) {
    try (Sql owner = database.sqlAs(database.owner())) {
      for (String tenant : tenants) {
        owner.execute("INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
            + " VALUES ('" + tenant + "', 'Order', 'o-1', 1, 'E', '{}', '"
            + Events.event("E", 1).metadata().toStorageJson() + "')");
      }
    }
  }

  private static ReplyException failure(JsonObject body) {
    try {
      vertx.eventBus().request(READ_ALL, body).await();
    } catch (ReplyException e) {
      return e;
    }
    throw new AssertionError("expected a failure for " + body);
  }

  private static ListAppender<ILoggingEvent> auditLog() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger("dev.temperstore.audit")).addAppender(appender);
    return appender;
  }

  private static void detach(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger("dev.temperstore.audit")).detachAppender(appender);
  }

  private static String shown(FeedEvent event) {
    return event.persistenceId() + "@" + event.event().sequenceNr();
  }

}
