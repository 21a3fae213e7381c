package dev.temperstore.migration;

import dev.temperstore.testing.DatabaseTest;
import dev.temperstore.testing.Catalog;
import dev.temperstore.testing.Sql;
import dev.temperstore.testing.TemperDatabases;
import dev.temperstore.postgres.DatabaseTarget;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationPipelineTest extends DatabaseTest {

  private static final int STEPS = Schema.steps().size();

  private Sql admin;
  private Catalog catalog;

  @BeforeEach
  void freshDatabase() {
    admin = database.admin();
    catalog = new Catalog(admin);
  }

  @Test
  void a_database_left_half_way_by_temper_148_is_completed_and_keeps_its_event_rows() {
    try (Sql temper = new Sql(vertx, database.asOwner())) {
      TemperDatabases.leaveHalfWayAsIn148(temper);
    }
    TemperDatabases.writeEvents(admin, 6);
    List<String> payloads = TemperDatabases.eventPayloads(admin);
    assertThat(catalog.tables()).doesNotContain("tenant_secrets");

    MigrationReport report = run(pipeline());

    assertThat(report.applied()).hasSize(STEPS);
    assertThat(catalog.tables()).contains("tenant_secrets");
    assertThat(catalog.tablesWithRowLevelSecurity()).containsAll(TemperSchema.TENANT_TABLES)
        .contains("temper_store_subscriptions", "temper_store_subscription_members", "temper_store_streams",
            "temper_store_retention", "temper_store_audit", "temper_store_purges", "temper_store_notices",
            "temper_store_subject_keys")
        .hasSize(TemperSchema.TENANT_TABLES.size() + 8);
    assertThat(catalog.policies()).hasSize(TemperSchema.TENANT_TABLES.size() + 8).doesNotHaveDuplicates();
    assertThat(admin.strings("SELECT column_name FROM information_schema.columns WHERE table_name = 'specs'"))
        .contains("content_hash", "committed");
    assertThat(TemperDatabases.eventPayloads(admin)).hasSize(6).isEqualTo(payloads);
  }

  @Test
  void a_complete_database_from_temper_without_our_ledger_is_adopted_and_keeps_its_rows() {
    try (Sql temper = new Sql(vertx, database.asOwner())) {
      TemperDatabases.leaveComplete(temper);
    }
    TemperDatabases.writeEvents(admin, 4);
    List<String> payloads = TemperDatabases.eventPayloads(admin);

    run(pipeline());

    assertThat(catalog.ledgerLabels()).hasSize(STEPS);
    assertThat(catalog.policies()).hasSize(TemperSchema.TENANT_TABLES.size() + 8); // and the store's eight
    assertThat(TemperDatabases.eventPayloads(admin)).isEqualTo(payloads);
  }

  @Test
  void a_step_made_to_fail_fails_with_its_own_label_and_rolls_back_every_earlier_step() {
    List<MigrationStep> steps = new ArrayList<>(TemperSchema.steps().subList(0, 3));
    steps.add(MigrationStep.create("broken audit table", "CREATE TABLE IF NOT EXISTS audit (id BIGSERIAL PRIMARY KEY, oops)"));
    MigrationPipeline broken = new MigrationPipeline(steps, MigrationSettings.defaults());

    assertThatThrownBy(() -> run(broken))
        .isInstanceOf(MigrationFailed.class)
        .hasMessageStartingWith("failed to create broken audit table: ")
        .hasMessageContaining("syntax error")
        .satisfies(e -> assertThat(((MigrationFailed) e).step()).contains("broken audit table"));

    assertThat(catalog.tables()).isEmpty();
  }

  @Test
  void a_relation_in_the_way_of_row_level_security_fails_naming_the_rls_step_and_its_table() {
    admin.execute("CREATE VIEW tenant_secrets AS SELECT 'default'::text AS tenant");

    assertThatThrownBy(() -> run(pipeline()))
        .hasMessageStartingWith("failed to enable tenant RLS on tenant_secrets: ");

    assertThat(catalog.tables()).isEmpty();
    assertThat(catalog.ledgerExists()).isFalse();
  }

  @Test
  void a_tampered_ledger_checksum_is_refused_naming_the_step_and_nothing_is_applied() {
    run(pipeline());
    admin.execute("UPDATE temper_store_migrations SET checksum = repeat('0', 64) WHERE label = 'snapshots table'");
    admin.execute("DELETE FROM temper_store_migrations WHERE label = 'tenant RLS on tenant_secrets'");

    assertThatThrownBy(() -> run(pipeline()))
        .isInstanceOf(MigrationFailed.class)
        .hasMessageStartingWith("migration step \"snapshots table\" was applied with checksum 0000")
        .hasMessageContaining("a released step must never change");

    assertThat(catalog.ledgerLabels()).hasSize(STEPS - 1).doesNotContain("tenant RLS on tenant_secrets");
  }

  @Test
  void a_step_deleted_from_the_ledger_is_applied_again_and_recorded() {
    run(pipeline());
    admin.execute("DELETE FROM temper_store_migrations WHERE label = 'tenant RLS on tenant_secrets'");

    MigrationReport report = run(pipeline());

    assertThat(report.applied()).containsExactly("tenant RLS on tenant_secrets");
    assertThat(catalog.ledgerLabels()).hasSize(STEPS);
    assertThat(catalog.policies()).hasSize(TemperSchema.TENANT_TABLES.size() + 8); // and the store's eight
  }

  @Test
  void a_database_of_the_previous_release_gets_only_the_new_append_plan_settings() {
    // The release before the plans step: every step up to it (later releases appended more steps after it).
    int plans = Schema.steps().stream().map(MigrationStep::label).toList().indexOf("append function plans");
    List<MigrationStep> previousRelease = Schema.steps().subList(0, plans);
    run(new MigrationPipeline(previousRelease, MigrationSettings.defaults()));
    assertThat(appendFunctionSettings()).containsExactly("enable_sort=off");

    MigrationReport report = run(pipeline());

    assertThat(report.applied()).startsWith("append function plans").hasSize(STEPS - plans);
    assertThat(appendFunctionSettings())
        .containsExactlyInAnyOrder("enable_sort=off", "plan_cache_mode=force_generic_plan", "enable_seqscan=off");
  }

  @Test
  void a_database_of_the_release_before_the_bounded_head_lookups_gets_both_append_functions_with_their_settings() {
    String bounded = "append function, head read from the expected sequence";
    int first = Schema.steps().stream().map(MigrationStep::label).toList().indexOf(bounded);
    run(new MigrationPipeline(Schema.steps().subList(0, first), MigrationSettings.defaults()));
    assertThat(functionSource("temper_store_append")).doesNotContain("e.sequence_nr >= a.expected");

    MigrationReport report = run(pipeline());

    assertThat(report.applied()).startsWith(bounded, "lone append function, head read from the expected sequence",
        "append function, every head checked before the first write", "lone append function, refused after a write");
    assertThat(functionSource("temper_store_append")).contains("e.sequence_nr >= a.expected");
    assertThat(functionSource("temper_store_append_one")).contains("e.sequence_nr >= p_expected");
    assertThat(appendFunctionSettings())
        .containsExactlyInAnyOrder("enable_sort=off", "plan_cache_mode=force_generic_plan", "enable_seqscan=off");
    assertThat(admin.strings("SELECT unnest(proconfig) FROM pg_proc WHERE proname = 'temper_store_append_one'"))
        .containsExactlyInAnyOrder("enable_sort=off", "plan_cache_mode=force_generic_plan", "enable_seqscan=off");
  }

  @Test
  void a_database_of_the_release_before_the_ordered_head_checks_gets_both_append_functions_with_their_settings() {
    String ordered = "append function, every head checked before the first write";
    int first = Schema.steps().stream().map(MigrationStep::label).toList().indexOf(ordered);
    run(new MigrationPipeline(Schema.steps().subList(0, first), MigrationSettings.defaults()));
    assertThat(functionSource("temper_store_append")).doesNotContain("pg_current_xact_id_if_assigned");

    MigrationReport report = run(pipeline());

    assertThat(report.applied()).startsWith(ordered, "lone append function, refused after a write");
    assertThat(functionSource("temper_store_append")).contains("pg_current_xact_id_if_assigned");
    assertThat(functionSource("temper_store_append_one")).contains("pg_current_xact_id_if_assigned");
    for (String function : List.of("temper_store_append", "temper_store_append_one")) {
      assertThat(admin.strings("SELECT unnest(proconfig) FROM pg_proc WHERE proname = $1", function))
          .containsExactlyInAnyOrder("enable_sort=off", "plan_cache_mode=force_generic_plan", "enable_seqscan=off");
    }
  }

  private String functionSource(String name) {
    return admin.strings("SELECT prosrc FROM pg_proc WHERE proname = $1", name).get(0);
  }

  private List<String> appendFunctionSettings() {
    return admin.strings("SELECT unnest(proconfig) FROM pg_proc WHERE proname = 'temper_store_append'");
  }

  @Test
  void ledger_rows_of_steps_this_version_does_not_know_are_left_alone() {
    run(pipeline());
    admin.execute("INSERT INTO temper_store_migrations (label, position, checksum, execution_ms)"
        + " VALUES ('future step', 999, repeat('a', 64), 1)");

    MigrationReport report = run(pipeline());

    assertThat(report.applied()).isEmpty();
    assertThat(catalog.ledgerLabels()).contains("future step");
  }

  @Test
  void a_run_waits_while_another_session_holds_the_migration_lock_and_then_finds_its_work() throws Exception {
    Pool holderPool = database.asSuperuser().pool(vertx, 1);
    SqlConnection holder = holderPool.getConnection().await();
    holder.query("BEGIN").execute().await();
    holder.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(MigrationPipeline.LOCK_KEY)).await();
    CountDownLatch waiting = new CountDownLatch(1);
    MigrationListener listener = new MigrationListener() {
      @Override
      public void waitingForLock() {
        waiting.countDown();
      }
    };

    CompletableFuture<MigrationReport> run = pipeline().run(vertx, database.asOwner(), listener)
        .subscribeAsCompletionStage();

    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(run).isNotDone();
    assertThat(catalog.tables()).isEmpty();
    holder.query("COMMIT").execute().await();
    assertThat(run.get(30, TimeUnit.SECONDS).applied()).hasSize(STEPS);
    holderPool.close().await();
  }

  @Test
  void a_run_that_cannot_get_the_lock_within_its_timeout_fails_saying_so_and_changes_nothing() {
    Pool holderPool = database.asSuperuser().pool(vertx, 1);
    SqlConnection holder = holderPool.getConnection().await();
    holder.query("BEGIN").execute().await();
    holder.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(MigrationPipeline.LOCK_KEY)).await();
    MigrationPipeline impatient = MigrationPipeline.standard(
        new MigrationSettings(Duration.ofMillis(300), MigrationSettings.DEFAULT_STATEMENT_TIMEOUT, false));

    assertThatThrownBy(() -> run(impatient))
        .hasMessageStartingWith("failed to acquire the migration lock within 300 ms (temper.migration.lock-timeout): ")
        .hasMessageContaining("lock timeout");

    assertThat(catalog.tables()).isEmpty();
    holderPool.close().await();
  }

  @Test
  void an_unreachable_server_fails_naming_where_it_tried_to_connect_without_the_password() {
    DatabaseTarget target = new DatabaseTarget(new PgConnectOptions().setHost("127.0.0.1").setPort(1).setUser("someone")
            .setPassword("do-not-show-me").setDatabase("nowhere"), Duration.ofSeconds(2));

    assertThatThrownBy(() -> pipeline().run(vertx, target, MigrationListener.NONE).await().atMost(Duration.ofSeconds(20)))
        .hasMessageStartingWith("failed to connect to postgres://someone@127.0.0.1:1/nowhere: ")
        .message().doesNotContain("do-not-show-me");
  }

  private MigrationReport run(MigrationPipeline pipeline) {
    return pipeline.run(vertx, database.asOwner(), MigrationListener.NONE).await().atMost(Duration.ofSeconds(60));
  }

  private static MigrationPipeline pipeline() {
    return MigrationPipeline.standard(MigrationSettings.defaults());
  }

  @Override
  protected boolean migrated() {
    return false;
  }
}
