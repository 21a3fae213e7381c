package dev.temperstore.migration;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TemperSchemaTest {

  private final List<MigrationStep> steps = TemperSchema.steps();

  @Test
  void every_table_an_index_alter_rls_or_policy_step_touches_is_created_by_an_earlier_step() {
    assertThat(SchemaOrder.violations(steps)).isEmpty();
  }

  @Test
  void every_table_the_whole_schema_touches_including_store_functions_is_created_by_an_earlier_step() {
    assertThat(SchemaOrder.violations(Schema.steps())).isEmpty();
    assertThat(Schema.steps()).startsWith(steps.toArray(MigrationStep[]::new));
    assertThat(Schema.steps().stream().map(MigrationStep::label)).doesNotHaveDuplicates();
  }

  @Test
  void the_order_check_reads_tables_from_function_bodies_and_ignores_ctes_calls_and_catalogs() {
    MigrationStep append = Schema.steps().stream().filter(s -> s.label().equals("append function")).findFirst()
        .orElseThrow();

    assertThat(SchemaOrder.touchedTables(append)).containsExactly("events");
    assertThat(SchemaOrder.violations(List.of(append)))
        .containsExactly("\"append function\" touches events, which no earlier step creates");
  }

  @Test
  void the_order_check_reads_sql_not_comments() {
    MigrationStep commented = MigrationStep.create("commented step",
        "-- copied from audit_log, which grows from empty\nALTER TABLE events ADD COLUMN IF NOT EXISTS x int");

    assertThat(SchemaOrder.touchedTables(commented)).containsExactly("events");
  }

  @Test
  void the_order_check_catches_temper_148_where_tenant_secrets_was_secured_but_never_created() {
    List<MigrationStep> temperIssueTime = steps.stream()
        .filter(step -> !step.label().equals("tenant_secrets table"))
        .toList();

    assertThat(SchemaOrder.violations(temperIssueTime))
        .containsExactly("\"tenant RLS on tenant_secrets\" touches tenant_secrets, which no earlier step creates");
  }

  @Test
  void the_order_check_sees_tables_in_index_and_rls_sql() {
    MigrationStep index = steps.stream().filter(s -> s.label().equals("entity listing index")).findFirst().orElseThrow();
    MigrationStep rls = MigrationStep.enableTenantRls("snapshots");

    assertThat(SchemaOrder.touchedTables(index)).containsExactly("events");
    assertThat(SchemaOrder.touchedTables(rls)).containsExactly("snapshots");
  }

  @Test
  void creates_all_nine_temper_tables_and_secures_each_of_them_last() {
    Set<String> created = new HashSet<>();
    steps.forEach(step -> created.addAll(SchemaOrder.createdTables(step)));
    assertThat(created).containsExactlyInAnyOrderElementsOf(TemperSchema.TENANT_TABLES);

    List<String> lastNine = steps.subList(steps.size() - 9, steps.size()).stream().map(MigrationStep::label).toList();
    assertThat(lastNine).containsExactlyElementsOf(
        TemperSchema.TENANT_TABLES.stream().map(table -> "tenant RLS on " + table).toList());
  }

  @Test
  void labels_follow_temper_and_are_unique() {
    List<String> labels = steps.stream().map(MigrationStep::label).toList();

    assertThat(labels).doesNotHaveDuplicates();
    assertThat(labels).startsWith("events table", "snapshots table", "specs table", "trajectories table",
        "trajectories success index", "trajectories entity index", "design_time_events table",
        "tenant_constraints table", "design_time_events tenant index", "entity listing index",
        "wasm_modules table", "wasm_invocation_logs table", "wasm_invocation_logs tenant index",
        "wasm_invocation_logs module index", "wasm_invocation_logs created index", "tenant_secrets table");
  }

  @Test
  void every_create_statement_is_idempotent_so_temper_databases_are_adopted() {
    steps.stream().map(MigrationStep::sql)
        .filter(sql -> sql.startsWith("CREATE"))
        .forEach(sql -> assertThat(sql).containsPattern("^CREATE (TABLE|INDEX) IF NOT EXISTS "));
  }

  @Test
  void failure_messages_name_the_step_as_temper_did() {
    RuntimeException cause = new RuntimeException("ERROR: permission denied for schema public (42501)");

    assertThat(steps.get(0).failureMessage(cause))
        .isEqualTo("failed to create events table: ERROR: permission denied for schema public (42501)");
    assertThat(MigrationStep.enableTenantRls("tenant_secrets").failureMessage(cause))
        .isEqualTo("failed to enable tenant RLS on tenant_secrets: ERROR: permission denied for schema public (42501)");
  }

  @Test
  void checksums_ignore_line_ending_style_but_see_any_other_change() {
    MigrationStep unix = MigrationStep.create("x", "CREATE TABLE IF NOT EXISTS x (\n  a INT\n)");
    MigrationStep windows = MigrationStep.create("x", "CREATE TABLE IF NOT EXISTS x (\r\n  a INT\r\n)");
    MigrationStep changed = MigrationStep.create("x", "CREATE TABLE IF NOT EXISTS x (\n  a BIGINT\n)");

    assertThat(windows.checksum()).isEqualTo(unix.checksum()).hasSize(64);
    assertThat(changed.checksum()).isNotEqualTo(unix.checksum());
  }
}
