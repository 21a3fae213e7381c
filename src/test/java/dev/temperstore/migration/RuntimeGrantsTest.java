package dev.temperstore.migration;

import dev.temperstore.StoreSettings;
import dev.temperstore.StoreVerticle;
import dev.temperstore.client.StoreClient;
import dev.temperstore.events.EntityId;
import dev.temperstore.tenancy.PersistenceId;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.MigratedDatabase;
import dev.temperstore.testing.Sql;
import dev.temperstore.testing.TestKeys;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The owner migrates, {@code grant --role}'s SQL gives a runtime role what serving needs, and nothing more. */
class RuntimeGrantsTest extends DatabaseTest {

  private static final String PLAINTEXT = TestKeys.PLAINTEXT_MARKER + "-granted";

  @Test
  void the_granted_role_serves_every_operation_through_the_bus() {
    String role = MigratedDatabase.createServingRole(database);
    StoreSettings settings = StoreSettings.defaults(database.asOwner()).withServing(database.as(role)).withPoolSize(2)
        .withSecrets(TestKeys.settings(Map.of(1, TestKeys.KEY_1), 1));
    vertx.deployVerticle(new StoreVerticle(settings)).await();
    StoreClient client = StoreClient.create(vertx);
    PersistenceId order = PersistenceId.parse("acme:Order:o-1");

    assertThat(await(client.append(order, 0, events(2)))).isEqualTo(2);
    assertThat(await(client.read(order, 0, 10)).events()).hasSize(2);
    assertThat(await(client.listEntityIds("acme", Optional.empty(), Optional.empty(), 10)).ids())
        .containsExactly(new EntityId("Order", "o-1"));
    await(client.save(order, 2, "state".getBytes(StandardCharsets.UTF_8)));
    assertThat(await(client.load(order))).isPresent();
    assertThat(await(client.put("acme", "api-key", PLAINTEXT))).isTrue();
    assertThat(await(client.get("acme", "api-key"))).contains(PLAINTEXT);
    assertThat(await(client.listKeyNames("acme"))).containsExactly("api-key");
    assertThat(await(client.rotate("acme", 10)).remaining()).isZero();
    assertThat(await(client.delete("acme", "api-key"))).isTrue();
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'acme'")).isEqualTo(2);
    assertThat(database.admin().count("SELECT count(*) FROM snapshots")).isEqualTo(1);
  }

  @Test
  void the_granted_role_can_neither_read_nor_change_the_ledger_nor_create_or_drop_tables() {
    String role = MigratedDatabase.createServingRole(database);
    long ledgerRows = database.admin().count("SELECT count(*) FROM temper_store_migrations");

    try (Sql runtime = database.sqlAs(role)) {
      for (String forbidden : new String[] {
          "UPDATE temper_store_migrations SET checksum = repeat('0', 64)",
          "DELETE FROM temper_store_migrations",
          "SELECT count(*) FROM temper_store_migrations",
          "CREATE TABLE sneaky (id int)",
          "DROP TABLE events",
          "ALTER TABLE events DISABLE ROW LEVEL SECURITY",
          "UPDATE specs SET version = 2"}) {
        assertThatThrownBy(() -> runtime.execute(forbidden)).as(forbidden)
            .isInstanceOfSatisfying(PgException.class, e -> assertThat(e.getSqlState()).isIn("42501"));
      }
    }
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_migrations")).isEqualTo(ledgerRows);
    assertThat(database.admin().count("SELECT count(*) FROM pg_class WHERE relname = 'sneaky'")).isZero();
  }

  @Test
  void a_table_and_a_function_a_later_release_adds_are_covered_by_default_privileges() {
    String role = MigratedDatabase.createServingRole(database);
    try (Sql owner = database.sqlAs(database.owner())) {
      owner.execute("CREATE TABLE later_release (id bigserial PRIMARY KEY, note text);"
          + " CREATE FUNCTION temper_store_later() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    }

    try (Sql runtime = database.sqlAs(role)) {
      runtime.execute("INSERT INTO later_release (note) VALUES ('written by the runtime role')");
      assertThat(runtime.count("SELECT temper_store_later()")).isEqualTo(1);
    }
    assertThat(database.admin().count("SELECT count(*) FROM later_release")).isEqualTo(1);
  }

  @Test
  void granting_again_changes_nothing_and_still_serves() {
    String role = MigratedDatabase.createServingRole(database);
    String acl = database.admin().strings("SELECT relacl::text FROM pg_class WHERE relname = 'events'").get(0);

    try (Sql owner = database.sqlAs(database.owner())) {
      owner.execute(RuntimeGrants.script(database.name(), database.owner(), role));
    }

    assertThat(database.admin().strings("SELECT relacl::text FROM pg_class WHERE relname = 'events'"))
        .containsExactly(acl);
  }

  @Test
  void the_script_names_the_database_and_owner_quoted_and_the_role_quoted() {
    assertThat(RuntimeGrants.script("temper", "temper_owner", "temper_app"))
        .startsWith("GRANT CONNECT ON DATABASE \"temper\" TO \"temper_app\";\n")
        .contains("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE events, snapshots, tenant_secrets,"
            + " temper_store_subscriptions, temper_store_subscription_members, temper_store_streams,"
            + " temper_store_retention, temper_store_sweep_queue, temper_store_audit, temper_store_purges,"
            + " temper_store_notices, temper_store_token_revocations, temper_store_subject_keys"
            + " TO \"temper_app\";\n")
        .contains("REVOKE ALL ON TABLE temper_store_migrations FROM \"temper_app\";\n")
        .contains("ALTER DEFAULT PRIVILEGES FOR ROLE \"temper_owner\" IN SCHEMA public GRANT SELECT, INSERT, UPDATE,"
            + " DELETE ON TABLES TO \"temper_app\";\n");
    assertThat(RuntimeGrants.script("my \"db\"", "o", "r")).startsWith("GRANT CONNECT ON DATABASE \"my \"\"db\"\"\" TO");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Temper_App", "app; DROP TABLE events", "\"app\"", "1app", "", "public", "PUBLIC",
      "current_user", "pg_monitor", "a-b"})
  void a_role_name_that_is_not_a_plain_identifier_or_is_reserved_is_refused(String role) {
    assertThatThrownBy(() -> RuntimeGrants.statements("temper", "temper_owner", role))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("role name \"" + role + "\" is ");
  }

  @Test
  void every_store_function_in_the_schema_is_granted_to_the_runtime_role_or_listed_as_an_operators() {
    List<String> listed = new ArrayList<>(RuntimeGrants.FUNCTIONS);
    listed.addAll(RuntimeGrants.OPERATOR_FUNCTIONS);

    assertThat(database.admin().strings("SELECT proname FROM pg_proc WHERE proname LIKE 'temper\\_store\\_%'"))
        .containsExactlyInAnyOrderElementsOf(listed);
    assertThat(RuntimeGrants.FUNCTIONS).doesNotContainAnyElementsOf(RuntimeGrants.OPERATOR_FUNCTIONS);
  }

}
