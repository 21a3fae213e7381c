package dev.temperstore.tenancy;

import dev.temperstore.events.EntityId;
import dev.temperstore.events.EventStore;
import dev.temperstore.events.EventLimits;
import dev.temperstore.internal.events.PgEventStore;
import dev.temperstore.feed.Feed;
import dev.temperstore.feed.FeedFilter;
import dev.temperstore.feed.FeedPosition;
import dev.temperstore.internal.feed.PgFeed;
import dev.temperstore.migration.MigrationListener;
import dev.temperstore.migration.MigrationPipeline;
import dev.temperstore.migration.MigrationSettings;
import dev.temperstore.postgres.DatabaseTarget;
import dev.temperstore.snapshots.SnapshotStore;
import dev.temperstore.internal.snapshots.PgSnapshotStore;
import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.FeedHorizon;
import dev.temperstore.testing.MigratedDatabase;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.temperstore.testing.Await.await;
import static dev.temperstore.testing.Events.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Row-level security as defense in depth, checked with roles that do not bypass it. */
class TenantIsolationTest extends DatabaseTest {

  private String servingRole;
  private final List<Pool> pools = new ArrayList<>();

  @BeforeEach
  void twoTenantsWrittenByANonOwnerServingRole() {
    servingRole = MigratedDatabase.createServingRole(database);
    Pool pool = pool(database.as(servingRole));
    EventStore events = new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults());
    SnapshotStore snapshots = new PgSnapshotStore(pool, 1024);
    for (String tenant : List.of("alpha", "beta")) {
      await(events.append(PersistenceId.parse(tenant + ":Order:o-1"), 0, events(2)));
      await(events.append(PersistenceId.parse(tenant + ":Order:" + tenant + "-only"), 0, events(1)));
      await(snapshots.save(PersistenceId.parse(tenant + ":Order:o-1"), 2, tenant.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @AfterEach
  void closeConnections() {
    pools.forEach(pool -> pool.close().await());
  }

  @Test
  void through_the_store_a_tenant_sees_only_its_own_events_snapshots_and_entity_ids() {
    Pool pool = pool(database.as(servingRole));
    EventStore events = new PgEventStore(pool, vertx.getOrCreateContext(), EventLimits.defaults());
    SnapshotStore snapshots = new PgSnapshotStore(pool, 1024);

    assertThat(await(events.read(PersistenceId.parse("alpha:Order:o-1"), 0, 100)).events()).hasSize(2);
    assertThat(await(events.read(PersistenceId.parse("alpha:Order:beta-only"), 0, 100)).events()).isEmpty();
    assertThat(await(events.listEntityIds("alpha", Optional.empty(), Optional.empty(), 100)).ids())
        .containsExactly(new EntityId("Order", "alpha-only"), new EntityId("Order", "o-1"));
    assertThat(new String(await(snapshots.load(PersistenceId.parse("alpha:Order:o-1"))).orElseThrow().state(),
        StandardCharsets.UTF_8)).isEqualTo("alpha");
    assertThat(await(snapshots.load(PersistenceId.parse("alpha:Order:beta-only")))).isEmpty();
  }

  @Test
  void a_tenants_feed_holds_only_its_own_events_in_either_form_of_page() {
    Pool pool = pool(database.as(servingRole));
    FeedHorizon.awaitPastEveryEvent(database);

    for (Feed feed : List.of(new PgFeed(pool, 100, Integer.MAX_VALUE), new PgFeed(pool, 100, 1))) {
      for (String tenant : List.of("alpha", "beta")) {
        assertThat(await(feed.readAll(tenant, FeedPosition.START, FeedFilter.ALL, 100)).events())
            .extracting(event -> event.persistenceId().toString())
            .containsExactly(tenant + ":Order:o-1", tenant + ":Order:o-1", tenant + ":Order:" + tenant + "-only");
      }
    }
  }

  @Test
  void a_raw_query_without_a_tenant_predicate_sees_only_the_tenant_in_force_for_a_non_owner_role() {
    DatabaseTarget serving = database.as(servingRole);

    assertThat(inTransactionAs(serving, "alpha", "SELECT DISTINCT tenant FROM events")).containsExactly("alpha");
    assertThat(inTransactionAs(serving, "alpha", "SELECT DISTINCT entity_id FROM events ORDER BY 1"))
        .containsExactly("alpha-only", "o-1");
    assertThat(inTransactionAs(serving, "beta", "SELECT tenant FROM snapshots")).containsExactly("beta");
    assertThat(inTransactionAs(serving, null, "SELECT tenant FROM events")).isEmpty();
    assertThat(database.admin().strings("SELECT DISTINCT tenant FROM events ORDER BY 1"))
        .containsExactly("alpha", "beta");
  }

  @Test
  void a_non_owner_role_cannot_write_rows_of_another_tenant_than_the_one_in_force() {
    assertThatThrownBy(() -> inTransactionAs(database.as(servingRole), "alpha",
        "INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)"
            + " VALUES ('beta', 'Order', 'forged', 1, 'Forged', '{}', '{}') RETURNING tenant"))
        .isInstanceOf(PgException.class)
        .hasMessageContaining("row-level security");
    assertThat(database.admin().count("SELECT count(*) FROM events WHERE entity_id = 'forged'")).isZero();
  }

  @Test
  void without_force_the_owner_bypasses_the_policies_and_with_force_it_is_isolated_too() {
    DatabaseTarget owner = database.asOwner();
    assertThat(inTransactionAs(owner, "alpha", "SELECT DISTINCT tenant FROM events ORDER BY 1"))
        .containsExactly("alpha", "beta");

    MigrationPipeline.standard(MigrationSettings.defaults().withForceRowLevelSecurity(true))
        .run(vertx, owner, MigrationListener.NONE).await().atMost(Duration.ofSeconds(60));

    assertThat(database.admin().strings("SELECT relname FROM pg_class WHERE relforcerowsecurity ORDER BY 1"))
        .hasSize(9).contains("events", "snapshots", "tenant_secrets");
    assertThat(inTransactionAs(owner, "alpha", "SELECT DISTINCT tenant FROM events")).containsExactly("alpha");
    assertThat(inTransactionAs(owner, "beta", "SELECT tenant FROM snapshots")).containsExactly("beta");
    Pool ownerPool = pool(owner);
    EventStore ownerStore = new PgEventStore(ownerPool, vertx.getOrCreateContext(), EventLimits.defaults());
    assertThat(await(ownerStore.append(PersistenceId.parse("alpha:Order:o-1"), 2, events(1)))).isEqualTo(3);
    assertThat(await(ownerStore.read(PersistenceId.parse("alpha:Order:o-1"), 0, 10)).events()).hasSize(3);

    MigrationPipeline.standard(MigrationSettings.defaults())
        .run(vertx, owner, MigrationListener.NONE).await().atMost(Duration.ofSeconds(60));
    assertThat(database.admin().strings("SELECT relname FROM pg_class WHERE relforcerowsecurity")).isEmpty();
  }

  /** Runs {@code sql} in a transaction of {@code target}'s role, with {@code tenant} set (unless null). */
  private List<String> inTransactionAs(DatabaseTarget target, String tenant, String sql) {
    Pool pool = pool(target);
    SqlConnection connection = pool.getConnection().await();
    try {
      connection.query("BEGIN").execute().await();
      if (tenant != null) {
        connection.preparedQuery("SELECT set_config('app.current_tenant', $1, true)")
            .execute(io.vertx.sqlclient.Tuple.of(tenant)).await();
      }
      List<String> values = new ArrayList<>();
      connection.query(sql).execute().await().forEach(row -> values.add(row.getString(0)));
      connection.query("COMMIT").execute().await();
      return values;
    } finally {
      connection.close().await();
    }
  }

  private Pool pool(DatabaseTarget target) {
    Pool pool = target.pool(vertx, 2);
    pools.add(pool);
    return pool;
  }

}
