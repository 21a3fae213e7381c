package dev.temperstore.lifecycle;

import dev.temperstore.StoreSettings;
import dev.temperstore.errors.InvalidRequest;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.feed.subscriptions.Subscription;
import dev.temperstore.feed.subscriptions.SubscriptionSettings;
import dev.temperstore.tenancy.PersistenceId;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * tenants.purge through the client and the bus, served as a NOBYPASSRLS runtime role: every row of the tenant goes
 * from every table that carries it, tenants whose names are near it keep every row, an interrupted purge resumes
 * with exact counts, and a second purge is a receipt of nothing.
 */
class TenantPurgeTest extends LifecycleStoreTest {

  /** Every table that carries a tenant, as the purge empties them. */
  private static final List<String> TABLES = List.of("temper_store_subscription_members",
      "temper_store_subscriptions", "events", "snapshots", "tenant_secrets", "specs", "trajectories",
      "design_time_events", "tenant_constraints", "wasm_modules", "wasm_invocation_logs", "temper_store_streams",
      "temper_store_retention", "temper_store_sweep_queue", "temper_store_notices", "temper_store_subject_keys",
      "temper_store_audit");
  private static final List<String> NEIGHBOURS = List.of("a.b", "A", "a ", "ab");

  @Override
  protected StoreSettings settings() {
    return super.settings().withSubscriptions(SubscriptionSettings.defaults().withEnabled(false));
  }

  @Test
  void a_purge_removes_every_row_of_the_tenant_in_every_table_and_leaves_tenants_with_near_names_untouched() {
    Map<String, Long> seeded = seed("a", 3);
    NEIGHBOURS.forEach(tenant -> seed(tenant, 2));
    String neighboursBefore = rowsOf(NEIGHBOURS);

    PurgeReceipt receipt = await(client.purgeTenant("a", "ops"));

    assertThat(receipt.finished()).isTrue();
    assertThat(receipt.removed()).isEqualTo(seeded);
    assertThat(receipt.remaining()).hasSize(TABLES.size()).allSatisfy((table, left) -> assertThat(left).isZero());
    for (String table : TABLES) {
      long left = database.admin().count("SELECT count(*) FROM " + table + " WHERE tenant = 'a'"
          + (table.equals("temper_store_audit") ? " AND action <> 'tenant.purge'" : "")
          + (table.equals("temper_store_notices") ? " AND notice <> '$tenant-purged'" : ""));
      assertThat(left).as(table).isZero();
    }
    assertThat(rowsOf(NEIGHBOURS)).isEqualTo(neighboursBefore);
    assertThat(database.admin().strings("SELECT actor || ' ' || (finished_at IS NOT NULL) FROM temper_store_purges"))
        .containsExactly("ops true");
    assertThat(database.admin().strings("SELECT action FROM temper_store_audit WHERE tenant = 'a'"))
        .containsExactly("tenant.purge");
    assertThat(database.admin().strings("SELECT notice || ' ' || actor FROM temper_store_notices WHERE tenant = 'a'"))
        .as("the purge's notice, which holds nothing of the tenant's data").containsExactly("$tenant-purged ops");
    assertThat(await(client.readAll("a", FeedPosition.START, FeedFilter.ALL.withNotices(), 10)).events())
        .extracting(event -> event.persistenceId() + " " + event.event().eventType())
        .containsExactly("a:$tenant:a $tenant-purged");
    assertThat(await(client.read(PersistenceId.parse("a:Order:o-1"), 0, 10)).events()).isEmpty();
  }

  @Test
  void a_purge_interrupted_after_some_batches_resumes_under_the_same_id_with_exact_counts() {
    Map<String, Long> seeded = seed("a", 3);
    long id = database.sqlAs(role).count("SELECT purge_id FROM temper_store_purge_begin('a', 'first run')");
    for (int batch = 0; batch < 3; batch++) {
      database.sqlAs(role).strings("SELECT table_name FROM temper_store_purge_batch('a', " + id + ", 2)");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'a'"))
        .as("the first run stopped half-way").isPositive();

    PurgeReceipt receipt = await(client.purgeTenant("a", "second run"));

    assertThat(receipt.purgeId()).isEqualTo(id);
    assertThat(receipt.removed()).isEqualTo(seeded);
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_purges")).isEqualTo(1);
  }

  @Test
  void a_second_purge_removes_nothing_and_keeps_the_first_receipt() {
    seed("a", 2);
    PurgeReceipt first = await(client.purgeTenant("a", "ops"));

    PurgeReceipt second = await(client.purgeTenant("a", "ops"));

    assertThat(second.finished()).isTrue();
    assertThat(second.purgeId()).isNotEqualTo(first.purgeId());
    assertThat(second.removedRows()).isZero();
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_audit WHERE action = 'tenant.purge'"))
        .isEqualTo(2);
  }

  @Test
  void a_tenant_the_gate_refuses_is_a_400_and_removes_nothing() {
    seed("a", 2);
    String before = rowsOf(List.of("a"));

    for (String hostile : List.of("a\u0000", "a\uD800", "", "x".repeat(10_000))) {
      assertThatThrownBy(() -> await(client.purgeTenant(hostile, "ops"))).isInstanceOf(InvalidRequest.class);
    }
    assertThat(rowsOf(List.of("a"))).isEqualTo(before);
    assertThat(database.admin().count("SELECT count(*) FROM temper_store_purges")).isZero();
  }

  @Test
  void a_role_without_the_runtime_grants_may_not_call_the_purge_functions_that_run_as_the_owner() {
    seed("a", 2);
    String stranger = database.createRole("LOGIN NOBYPASSRLS");
    database.admin().execute("GRANT CONNECT ON DATABASE \"" + database.name() + "\" TO " + stranger
        + "; GRANT USAGE ON SCHEMA public TO " + stranger);

    for (String call : List.of("SELECT * FROM temper_store_purge_batch('a', 1, 1000)",
        "SELECT * FROM temper_store_purge_finish('a', 1)")) {
      assertThatThrownBy(() -> database.sqlAs(stranger).strings(call))
          .hasMessageContaining("permission denied for function");
    }
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE tenant = 'a'")).isEqualTo(6);
  }

  /**
   * Rows of {@code tenant} in every table: through the store where it serves the table, by SQL for Temper's own
   * tables and secrets. Returns the rows per table, as a purge counts them.
   */
  private Map<String, Long> seed(String tenant, int streams) {
    for (int i = 1; i <= streams; i++) {
      PersistenceId stream = new PersistenceId(tenant, "Order", "o-" + i);
      await(client.append(stream, 0, events(3)));
      await(client.save(stream, 3, new byte[] {1}));
    }
    await(client.delete(new PersistenceId(tenant, "Order", "o-1"), OptionalLong.empty(), "seed"));
    await(client.setRetention(tenant, new RetentionPolicy("Order", Optional.empty(), OptionalLong.of(100)), "seed"));
    await(client.createSubscription(new Subscription(tenant, "orders", "app.orders", FeedFilter.ALL,
        FeedPosition.START)));
    await(client.joinSubscription(tenant, "orders", "w-1", "app.w-1"));
    String t = tenant.replace("'", "''");
    database.admin().execute("INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce) VALUES ('" + t
        + "', 'k', '\\x01', '\\x02');"
        + " INSERT INTO specs (tenant, entity_type, ioa_source) VALUES ('" + t + "', 'Order', 'src');"
        + " INSERT INTO trajectories (tenant, entity_type, action, success) VALUES ('" + t + "', 'Order', 'a', true);"
        + " INSERT INTO design_time_events (kind, entity_type, tenant, summary) VALUES ('k', 'Order', '" + t + "', 's');"
        + " INSERT INTO tenant_constraints (tenant, cross_invariants_toml) VALUES ('" + t + "', '');"
        + " INSERT INTO temper_store_subject_keys (tenant, subject, forgotten_at) VALUES ('" + t + "', 's', now());"
        + " INSERT INTO wasm_modules (tenant, module_name, wasm_bytes, sha256_hash, size_bytes) VALUES ('" + t
        + "', 'm', '\\x00', 'h', 1);"
        + " INSERT INTO wasm_invocation_logs (tenant, entity_type, entity_id, module_name, trigger_action, success,"
        + " duration_ms) VALUES ('" + t + "', 'Order', 'o-1', 'm', 'go', true, 1)");
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : TABLES) {
      long rows = database.admin().count("SELECT count(*) FROM " + table + " WHERE tenant = $1", tenant);
      if (rows > 0) {
        counts.put(table, rows);
      }
    }
    assertThat(counts).as("every table holds rows of " + tenant).hasSize(TABLES.size());
    return new java.util.TreeMap<>(counts);
  }

  /** Every row of {@code tenants} in every table, as text: what a purge of another tenant must leave unchanged. */
  private String rowsOf(List<String> tenants) {
    StringBuilder rows = new StringBuilder();
    for (String table : TABLES) {
      rows.append(table).append(": ").append(database.admin().strings("SELECT x::text FROM " + table
          + " x WHERE tenant = ANY ($1) ORDER BY x::text", (Object) tenants.toArray(String[]::new))).append('\n');
    }
    return rows.toString();
  }
}
