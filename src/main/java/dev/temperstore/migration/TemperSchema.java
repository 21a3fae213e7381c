package dev.temperstore.migration;

import java.util.ArrayList;
import java.util.List;

import static dev.temperstore.migration.MigrationStep.create;
import static dev.temperstore.migration.MigrationStep.enableTenantRls;

/**
 * Temper's schema as data: its nine tables, their indexes, then row-level security on all nine, in that order.
 *
 * <p>Columns, types, defaults and index names match Temper's {@code schema.rs}, and every statement is
 * {@code IF NOT EXISTS}, so a database that Temper's own runner created (whole, or half-way as after its #148
 * failure) is completed in place. Released steps never change: a new schema change is a new step at the end.
 */
public final class TemperSchema {

  /** The tenant-scoped tables, in the order Temper's {@code ENABLE_TENANT_RLS} secures them. */
  public static final List<String> TENANT_TABLES = List.of(
      "events", "snapshots", "specs", "trajectories", "design_time_events", "tenant_constraints",
      "wasm_modules", "wasm_invocation_logs", "tenant_secrets");

  private static final List<MigrationStep> STEPS = build();

  private TemperSchema() {
  }

  public static List<MigrationStep> steps() {
    return STEPS;
  }

  private static List<MigrationStep> build() {
    List<MigrationStep> steps = new ArrayList<>(List.of(
        create("events table", """
            CREATE TABLE IF NOT EXISTS events (
                id          BIGSERIAL PRIMARY KEY,
                tenant      TEXT NOT NULL DEFAULT 'default',
                entity_type TEXT NOT NULL,
                entity_id   TEXT NOT NULL,
                sequence_nr BIGINT NOT NULL,
                event_type  TEXT NOT NULL,
                payload     JSONB NOT NULL,
                metadata    JSONB NOT NULL,
                created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
                UNIQUE (tenant, entity_type, entity_id, sequence_nr)
            )"""),
        create("snapshots table", """
            CREATE TABLE IF NOT EXISTS snapshots (
                tenant      TEXT NOT NULL DEFAULT 'default',
                entity_type TEXT NOT NULL,
                entity_id   TEXT NOT NULL,
                sequence_nr BIGINT NOT NULL,
                state       BYTEA NOT NULL,
                created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, entity_type, entity_id)
            )"""),
        create("specs table", """
            CREATE TABLE IF NOT EXISTS specs (
                id                  BIGSERIAL PRIMARY KEY,
                tenant              TEXT NOT NULL,
                entity_type         TEXT NOT NULL,
                ioa_source          TEXT NOT NULL,
                csdl_xml            TEXT,
                version             INT NOT NULL DEFAULT 1,
                verified            BOOLEAN NOT NULL DEFAULT false,
                verification_status TEXT NOT NULL DEFAULT 'pending',
                levels_passed       INT,
                levels_total        INT,
                verification_result JSONB,
                created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
                updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
                UNIQUE (tenant, entity_type)
            )"""),
        create("trajectories table", """
            CREATE TABLE IF NOT EXISTS trajectories (
                id          BIGSERIAL PRIMARY KEY,
                tenant      TEXT NOT NULL,
                entity_type TEXT NOT NULL,
                entity_id   TEXT NOT NULL DEFAULT '',
                action      TEXT NOT NULL,
                success     BOOLEAN NOT NULL,
                from_status TEXT,
                to_status   TEXT,
                error       TEXT,
                agent_id    TEXT,
                session_id  TEXT,
                created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
            )"""),
        create("trajectories success index",
            "CREATE INDEX IF NOT EXISTS idx_trajectories_success ON trajectories (success, created_at DESC)"),
        create("trajectories entity index",
            "CREATE INDEX IF NOT EXISTS idx_trajectories_entity ON trajectories (entity_type, action)"),
        create("design_time_events table", """
            CREATE TABLE IF NOT EXISTS design_time_events (
                id          BIGSERIAL PRIMARY KEY,
                kind        TEXT NOT NULL,
                entity_type TEXT NOT NULL,
                tenant      TEXT NOT NULL,
                summary     TEXT NOT NULL,
                level       TEXT,
                passed      BOOLEAN,
                step_number SMALLINT,
                total_steps SMALLINT,
                created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
            )"""),
        create("tenant_constraints table", """
            CREATE TABLE IF NOT EXISTS tenant_constraints (
                tenant                TEXT PRIMARY KEY,
                cross_invariants_toml TEXT NOT NULL,
                version               INT NOT NULL DEFAULT 1,
                updated_at            TIMESTAMPTZ NOT NULL DEFAULT now()
            )"""),
        create("design_time_events tenant index",
            "CREATE INDEX IF NOT EXISTS idx_dt_events_tenant ON design_time_events (tenant, created_at DESC)"),
        create("entity listing index",
            "CREATE INDEX IF NOT EXISTS idx_events_tenant_entity ON events (tenant, entity_type, entity_id)"),
        create("wasm_modules table", """
            CREATE TABLE IF NOT EXISTS wasm_modules (
                tenant      TEXT NOT NULL,
                module_name TEXT NOT NULL,
                wasm_bytes  BYTEA NOT NULL,
                sha256_hash TEXT NOT NULL,
                version     INT NOT NULL DEFAULT 1,
                size_bytes  INT NOT NULL,
                updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
                UNIQUE (tenant, module_name)
            )"""),
        create("wasm_invocation_logs table", """
            CREATE TABLE IF NOT EXISTS wasm_invocation_logs (
                id              BIGSERIAL PRIMARY KEY,
                tenant          TEXT NOT NULL,
                entity_type     TEXT NOT NULL,
                entity_id       TEXT NOT NULL,
                module_name     TEXT NOT NULL,
                trigger_action  TEXT NOT NULL,
                callback_action TEXT,
                success         BOOLEAN NOT NULL,
                error           TEXT,
                duration_ms     BIGINT NOT NULL,
                created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
            )"""),
        create("wasm_invocation_logs tenant index",
            "CREATE INDEX IF NOT EXISTS idx_wasm_invocation_logs_tenant ON wasm_invocation_logs (tenant)"),
        create("wasm_invocation_logs module index",
            "CREATE INDEX IF NOT EXISTS idx_wasm_invocation_logs_module ON wasm_invocation_logs (module_name)"),
        create("wasm_invocation_logs created index",
            "CREATE INDEX IF NOT EXISTS idx_wasm_invocation_logs_created ON wasm_invocation_logs (created_at DESC)"),
        // The table Temper's issue-time runner forgot (#148): created before anything secures it.
        create("tenant_secrets table", """
            CREATE TABLE IF NOT EXISTS tenant_secrets (
                tenant     TEXT NOT NULL,
                key_name   TEXT NOT NULL,
                ciphertext BYTEA NOT NULL,
                nonce      BYTEA NOT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, key_name)
            )"""),
        // Later Temper versions add these columns in place; older databases get them here.
        create("specs content_hash migration",
            "ALTER TABLE specs ADD COLUMN IF NOT EXISTS content_hash TEXT NOT NULL DEFAULT ''"),
        create("specs committed migration",
            "ALTER TABLE specs ADD COLUMN IF NOT EXISTS committed BOOLEAN NOT NULL DEFAULT true"),
        // Databases from before Temper's 32d26a76 have trajectories without these two columns.
        create("trajectories agent columns migration", """
            ALTER TABLE trajectories
                ADD COLUMN IF NOT EXISTS agent_id TEXT,
                ADD COLUMN IF NOT EXISTS session_id TEXT""")));
    // Row-level security last, once every table it secures exists.
    TENANT_TABLES.forEach(table -> steps.add(enableTenantRls(table)));
    return List.copyOf(steps);
  }
}
