package dev.temperstore;

import dev.temperstore.config.ConfigLoader;
import dev.temperstore.migration.MigrationReport;
import dev.temperstore.migration.Schema;
import dev.temperstore.migration.TemperSchema;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Catalog;
import dev.temperstore.testing.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreVerticleTest extends DatabaseTest {

  private static final int STEPS = Schema.steps().size();

  private Catalog catalog;

  @BeforeEach
  void freshDatabase() {
    catalog = new Catalog(database.admin());
  }

  @Test
  void start_on_a_fresh_database_owned_by_a_non_superuser_creates_all_nine_tables_indexes_and_tenant_rls() {
    StoreVerticle verticle = verticle(database.asOwner());

    vertx.deployVerticle(verticle).await();

    assertThat(catalog.tables()).containsExactlyInAnyOrder("events", "snapshots", "specs", "trajectories",
        "design_time_events", "tenant_constraints", "wasm_modules", "wasm_invocation_logs", "tenant_secrets",
        "temper_store_migrations", "temper_store_subscriptions", "temper_store_subscription_members",
        "temper_store_streams", "temper_store_retention", "temper_store_sweep_queue", "temper_store_audit",
        "temper_store_purges", "temper_store_notices", "temper_store_token_revocations",
        "temper_store_subject_keys");
    assertThat(catalog.indexes()).contains("idx_events_tenant_entity", "idx_trajectories_success",
        "idx_trajectories_entity", "idx_dt_events_tenant", "idx_wasm_invocation_logs_tenant",
        "idx_wasm_invocation_logs_module", "idx_wasm_invocation_logs_created",
        "events_tenant_entity_type_entity_id_sequence_nr_key", "snapshots_pkey", "tenant_secrets_pkey",
        "wasm_modules_tenant_module_name_key", "specs_tenant_entity_type_key");
    List<String> tenantTables = new ArrayList<>(TemperSchema.TENANT_TABLES);
    tenantTables.add("temper_store_subscriptions");
    tenantTables.add("temper_store_subscription_members");
    tenantTables.addAll(List.of("temper_store_streams", "temper_store_retention", "temper_store_audit",
        "temper_store_purges", "temper_store_notices", "temper_store_subject_keys"));
    assertThat(catalog.tablesWithRowLevelSecurity()).containsExactlyInAnyOrderElementsOf(tenantTables);
    assertThat(catalog.policies()).containsExactlyInAnyOrderElementsOf(
        tenantTables.stream().map(table -> table + ":tenant_isolation").toList());
    assertThat(catalog.ledgerLabels()).hasSize(STEPS);
    assertThat(verticle.migrationReport().orElseThrow().applied()).hasSize(STEPS);
    assertThat(database.admin().strings("SELECT tableowner FROM pg_tables WHERE tablename = 'tenant_secrets'"))
        .containsExactly(database.owner());
  }

  @Test
  void a_second_start_applies_nothing_and_leaves_the_ledger_unchanged() {
    vertx.deployVerticle(verticle(database.asOwner())).await();
    List<String> ledgerBefore = catalog.ledgerRows();
    StoreVerticle second = verticle(database.asOwner());

    vertx.deployVerticle(second).await();

    MigrationReport report = second.migrationReport().orElseThrow();
    assertThat(report.applied()).isEmpty();
    assertThat(report.alreadyApplied()).isEqualTo(STEPS);
    assertThat(catalog.ledgerRows()).isEqualTo(ledgerBefore);
  }

  @Test
  void eight_instances_of_two_replicas_starting_together_on_a_fresh_database_all_succeed_and_apply_every_step_once() {
    Vertx replica = Vertx.vertx(); // a second process, as far as the database can tell
    try {
      List<StoreVerticle> verticles = new ArrayList<>();
      List<Future<String>> deployments = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        StoreVerticle verticle = verticle(database.asOwner());
        verticles.add(verticle);
        deployments.add((i % 2 == 0 ? vertx : replica).deployVerticle(verticle));
      }

      Future.all(deployments).await();

      // The instances of one replica share its run; the replicas are serialised by the advisory lock.
      List<List<String>> applied = verticles.stream()
          .map(v -> v.migrationReport().orElseThrow().applied())
          .filter(list -> !list.isEmpty())
          .toList();
      assertThat(applied).hasSize(4);
      assertThat(applied.get(0)).hasSize(STEPS);
    } finally {
      replica.close().await();
    }
    assertThat(catalog.ledgerLabels()).hasSize(STEPS).doesNotHaveDuplicates();
    assertThat(catalog.policies()).hasSize(TemperSchema.TENANT_TABLES.size() + 8); // and the store's eight
  }

  @Test
  void a_role_that_may_not_create_tables_fails_the_start_naming_the_events_table_and_leaves_nothing_behind() {
    database.admin().execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    String reader = database.createRole("LOGIN NOSUPERUSER");

    assertThatThrownBy(() -> vertx.deployVerticle(verticle(database.as(reader))).await())
        .hasMessageStartingWith("failed to create events table: ")
        .hasMessageContaining("permission denied for schema public");

    assertThat(vertx.deploymentIDs()).isEmpty();
    assertThat(catalog.tables()).isEmpty();
    assertThatThrownBy(() -> vertx.eventBus().request("temper.store.events.read", new JsonObject()).await())
        .isInstanceOfSatisfying(ReplyException.class,
            e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }

  @Test
  void a_started_verticle_serves_its_addresses_and_an_undeployed_one_leaves_none() {
    String id = vertx.deployVerticle(verticle(database.asOwner())).await();
    JsonObject read = vertx.eventBus().<JsonObject>request("temper.store.events.read",
        new JsonObject().put("persistenceId", "acme:Order:o-1")).await().body();
    assertThat(read.getJsonArray("events")).isEmpty();

    vertx.undeploy(id).await();

    assertThatThrownBy(() -> vertx.eventBus().request("temper.store.events.read", new JsonObject()).await())
        .isInstanceOfSatisfying(ReplyException.class,
            e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }

  @Test
  void a_verticle_configured_without_any_database_url_fails_its_start_saying_which_keys_to_set() {
    StoreVerticle unconfigured = new StoreVerticle(ConfigLoader.fromProperties(Map.of()));

    assertThatThrownBy(() -> vertx.deployVerticle(unconfigured).await())
        .hasMessage("no database configured: set temper.database.url (TEMPER_DATABASE_URL) or DATABASE_URL");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  @Test
  void a_verticle_configured_through_smallrye_config_migrates_the_database_its_url_names() {
    String url = PostgresServer.url(database.asOwner());
    StoreVerticle configured = new StoreVerticle(ConfigLoader.fromProperties(Map.of("DATABASE_URL", url)));

    vertx.deployVerticle(configured).await();

    assertThat(catalog.ledgerLabels()).hasSize(STEPS);
  }

  private static StoreVerticle verticle(DatabaseTarget target) {
    return new StoreVerticle(StoreSettings.defaults(target));
  }

  @Override
  protected boolean migrated() {
    return false;
  }
}
