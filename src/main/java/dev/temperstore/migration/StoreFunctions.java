package dev.temperstore.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The server-side functions the stores call (and the secret store's key-version column): each operation is one statement and one round trip, sets the tenant
 * for row-level security inside its own transaction, and names the tenant in every predicate.
 * Their SQL lives in {@code src/main/resources/db/functions/}.
 */
final class StoreFunctions {

  private StoreFunctions() {
  }

  static List<MigrationStep> steps() {
    return List.of(
        MigrationStep.create("append function", sql("superseded/append-events-1.sql")),
        MigrationStep.create("read events function", sql("superseded/read-events-1.sql")),
        MigrationStep.create("list entities function", sql("superseded/list-entities-1.sql")),
        MigrationStep.create("save snapshot function", sql("save-snapshot.sql")),
        MigrationStep.create("load snapshot function", sql("superseded/load-snapshot-1.sql")),
        // Secrets: the key version each row is encrypted under. Rows Temper wrote get 0, the legacy version.
        MigrationStep.create("tenant_secrets key_version migration",
            "ALTER TABLE tenant_secrets ADD COLUMN IF NOT EXISTS key_version INT NOT NULL DEFAULT 0"),
        MigrationStep.create("put secret function", sql("secret-put.sql")),
        MigrationStep.create("get secret function", sql("secret-get.sql")),
        MigrationStep.create("delete secret function", sql("secret-delete.sql")),
        MigrationStep.create("list secrets function", sql("secret-list.sql")),
        MigrationStep.create("secret rotation functions", sql("secret-rotation", "secret-tenants-to-rotate.sql", "secrets-to-rotate.sql",
            "store-rotated-secrets.sql", "count-secrets-to-rotate.sql")),
        MigrationStep.create("append function plans", sql("append-plans.sql")),
        // The feed. The column has no default when added, so adding it rewrites nothing however large the table;
        // the default then applies to new rows only, and Temper's rows (no transaction) come first in the order.
        MigrationStep.create("events tx_id column", "ALTER TABLE events ADD COLUMN IF NOT EXISTS tx_id xid8"),
        MigrationStep.create("events tx_id default",
            "ALTER TABLE events ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id()"),
        MigrationStep.create("events feed index", "CREATE INDEX IF NOT EXISTS idx_events_feed"
            + " ON events (tenant, (coalesce(tx_id, '0'::xid8)), id)"),
        MigrationStep.create("read feed function", sql("superseded/read-feed-1.sql")),
        MigrationStep.create("feed guard function", sql("feed-guard.sql")),
        // Durable subscriptions: a named feed reader's definition and checkpoint, per tenant.
        MigrationStep.create("temper_store_subscriptions table", """
            CREATE TABLE IF NOT EXISTS temper_store_subscriptions (
                tenant          TEXT NOT NULL,
                name            TEXT NOT NULL,
                address         TEXT NOT NULL,
                entity_types    TEXT[] NOT NULL DEFAULT '{}',
                event_types     TEXT[] NOT NULL DEFAULT '{}',
                from_tx         BIGINT NOT NULL CHECK (from_tx >= 0),
                from_id         BIGINT NOT NULL CHECK (from_id >= 0),
                checkpoint_tx   BIGINT NOT NULL CHECK (checkpoint_tx >= 0),
                checkpoint_id   BIGINT NOT NULL CHECK (checkpoint_id >= 0),
                version         BIGINT NOT NULL,
                created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
                checkpointed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, name)
            )"""),
        MigrationStep.enableTenantRls("temper_store_subscriptions"),
        MigrationStep.create("subscription functions", sql("subscriptions", "create-subscription.sql",
            "subscription-lag.sql", "list-subscriptions.sql", "reset-subscription.sql", "delete-subscription.sql",
            "save-checkpoint.sql", "subscriptions-to-deliver.sql")),
        // An append that goes to the database alone (light load) skips the batch function's grouping work.
        MigrationStep.create("lone append function", sql("superseded/append-one-1.sql")),
        // Consumer groups: a subscription's members and their leases; they go with their subscription.
        MigrationStep.create("temper_store_subscription_members table", """
            CREATE TABLE IF NOT EXISTS temper_store_subscription_members (
                tenant       TEXT NOT NULL,
                subscription TEXT NOT NULL,
                member       TEXT NOT NULL,
                address      TEXT NOT NULL,
                expires_at   TIMESTAMPTZ NOT NULL,
                joined_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, subscription, member),
                FOREIGN KEY (tenant, subscription) REFERENCES temper_store_subscriptions (tenant, name)
                    ON DELETE CASCADE
            )"""),
        MigrationStep.enableTenantRls("temper_store_subscription_members"),
        MigrationStep.create("subscription member functions", sql("subscription-members",
            "join-subscription.sql", "leave-subscription.sql", "subscription-members.sql",
            "list-subscription-members.sql")),
        // The feed across every tenant, for an operator role: the same order without the tenant in front.
        MigrationStep.create("events feed index across tenants", "CREATE INDEX IF NOT EXISTS"
            + " idx_events_feed_all_tenants ON events ((coalesce(tx_id, '0'::xid8)), id)"),
        MigrationStep.create("read feed across tenants function", sql("superseded/read-feed-all-tenants-1.sql")),
        MigrationStep.create("feed function plans", sql("feed-plans.sql")),
        MigrationStep.create("asynchronous checkpoint commits", sql("checkpoint-async.sql")),
        // The two append functions again, their stream-head lookup bounded below by the expected sequence. A
        // released step never changes, so each earlier version stays (superseded/) as the step that wrote it.
        MigrationStep.create("append function, head read from the expected sequence",
            sql("superseded/append-events-2.sql")),
        MigrationStep.create("lone append function, head read from the expected sequence",
            sql("superseded/append-one-2.sql")),
        // Each stream in sequence order in the feed: every head is checked before the transaction takes its id.
        MigrationStep.create("append function, every head checked before the first write", sql("append-events.sql")),
        MigrationStep.create("lone append function, refused after a write", sql("append-one.sql")),
        // The data lifecycle (docs/protocol.md, "Stream lifecycle"): additive only, events is never rewritten.
        MigrationStep.create("temper_store_streams table", """
            CREATE TABLE IF NOT EXISTS temper_store_streams (
                tenant       TEXT NOT NULL,
                entity_type  TEXT NOT NULL,
                entity_id    TEXT NOT NULL,
                hidden_below BIGINT NOT NULL DEFAULT 0 CHECK (hidden_below >= 0),
                tombstoned   BOOLEAN NOT NULL DEFAULT false,
                swept_below  BIGINT NOT NULL DEFAULT 0,
                changed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, entity_type, entity_id)
            );
            -- The streams whose hidden rows the sweeper has not removed yet: only while a tenant has one does
            -- its feed check each event against its stream (read-feed.sql).
            CREATE INDEX IF NOT EXISTS idx_temper_store_streams_unswept ON temper_store_streams (tenant)
                WHERE swept_below < hidden_below"""),
        MigrationStep.enableTenantRls("temper_store_streams"),
        MigrationStep.create("temper_store_retention table", """
            CREATE TABLE IF NOT EXISTS temper_store_retention (
                tenant      TEXT NOT NULL,
                entity_type TEXT NOT NULL,
                max_age     INTERVAL CHECK (max_age > interval '0'),
                max_count   BIGINT CHECK (max_count > 0),
                changed_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
                CHECK (max_age IS NOT NULL OR max_count IS NOT NULL),
                PRIMARY KEY (tenant, entity_type)
            )"""),
        MigrationStep.enableTenantRls("temper_store_retention"),
        // What the sweeper has to do, across tenants (sweep.sql); it holds names, never event data.
        MigrationStep.create("temper_store_sweep_queue table", """
            CREATE TABLE IF NOT EXISTS temper_store_sweep_queue (
                kind        TEXT NOT NULL CHECK (kind IN ('stream', 'retention')),
                tenant      TEXT NOT NULL,
                entity_type TEXT NOT NULL,
                entity_id   TEXT NOT NULL,
                cursor_id   TEXT NOT NULL DEFAULT '',
                queued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
                swept_at    TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
                PRIMARY KEY (kind, tenant, entity_type, entity_id)
            );
            CREATE INDEX IF NOT EXISTS idx_temper_store_sweep_queue_order ON temper_store_sweep_queue (kind, swept_at)"""),
        // Who changed what and when, for every lifecycle action; counts and positions, never event data.
        MigrationStep.create("temper_store_audit table", """
            CREATE TABLE IF NOT EXISTS temper_store_audit (
                id          BIGSERIAL PRIMARY KEY,
                at          TIMESTAMPTZ NOT NULL DEFAULT now(),
                tenant      TEXT NOT NULL,
                action      TEXT NOT NULL,
                entity_type TEXT,
                entity_id   TEXT,
                actor       TEXT NOT NULL,
                detail      JSONB NOT NULL DEFAULT '{}'
            )"""),
        MigrationStep.enableTenantRls("temper_store_audit"),
        MigrationStep.create("stream lifecycle functions", sql("lifecycle", "served.sql", "change-stream.sql",
            "retention.sql", "sweep.sql")),
        // The read paths again, serving only what the lifecycle leaves (temper_store_served); same signatures, so
        // an older store on the same database stops serving deleted events too.
        MigrationStep.create("read events function, lifecycle", sql("read-events.sql")),
        MigrationStep.create("load snapshot function, lifecycle", sql("load-snapshot.sql")),
        MigrationStep.create("list entities function, lifecycle", sql("list-entities.sql")),
        MigrationStep.create("read feed function, lifecycle", sql("read-feed.sql")),
        MigrationStep.create("read feed across tenants function, lifecycle", sql("read-feed-all-tenants.sql")),
        // Tenant purges: each one's receipt, which outlives the tenant's data (lifecycle/purge.sql).
        MigrationStep.create("temper_store_purges table", """
            CREATE TABLE IF NOT EXISTS temper_store_purges (
                id          BIGSERIAL PRIMARY KEY,
                tenant      TEXT NOT NULL,
                actor       TEXT NOT NULL,
                started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
                finished_at TIMESTAMPTZ,
                removed     JSONB NOT NULL DEFAULT '{}',
                remaining   JSONB
            );
            CREATE UNIQUE INDEX IF NOT EXISTS idx_temper_store_purges_running ON temper_store_purges (tenant)
                WHERE finished_at IS NULL"""),
        MigrationStep.enableTenantRls("temper_store_purges"),
        MigrationStep.create("temper_store_audit tenant index",
            "CREATE INDEX IF NOT EXISTS idx_temper_store_audit_tenant ON temper_store_audit (tenant, id)"),
        MigrationStep.create("tenant purge functions", sql("lifecycle/purge.sql")),
        // Lifecycle notices, at the position of the action that left them (lifecycle/notices.sql).
        MigrationStep.create("temper_store_notices table", """
            CREATE TABLE IF NOT EXISTS temper_store_notices (
                tenant      TEXT NOT NULL,
                tx_id       XID8 NOT NULL DEFAULT pg_current_xact_id(),
                id          BIGINT NOT NULL DEFAULT nextval('events_id_seq'),
                notice      TEXT NOT NULL,
                entity_type TEXT,
                entity_id   TEXT,
                head        BIGINT,
                served_from BIGINT,
                actor       TEXT NOT NULL,
                at          TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant, tx_id, id)
            );
            CREATE INDEX IF NOT EXISTS idx_temper_store_notices_position ON temper_store_notices (tx_id, id)"""),
        MigrationStep.enableTenantRls("temper_store_notices"),
        MigrationStep.create("temper_store_subscriptions notices column",
            "ALTER TABLE temper_store_subscriptions ADD COLUMN IF NOT EXISTS notices BOOLEAN NOT NULL DEFAULT false"),
        MigrationStep.create("lifecycle notice functions", sql("lifecycle/notices.sql")),
        MigrationStep.create("subscription functions with notices", sql("subscriptions/notices.sql")),
        // Revoked bridge tokens: across tenants (a token may grant several), so without row-level security; names
        // and times only, never a token (tokens/revocations.sql).
        MigrationStep.create("temper_store_token_revocations table", """
            CREATE TABLE IF NOT EXISTS temper_store_token_revocations (
                id            BIGSERIAL PRIMARY KEY,
                jti           TEXT,
                subject       TEXT,
                issued_before TIMESTAMPTZ,
                expires_at    TIMESTAMPTZ NOT NULL,
                revoked_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
                actor         TEXT NOT NULL,
                reason        TEXT NOT NULL DEFAULT '',
                CHECK ((jti IS NULL) <> (subject IS NULL)),
                CHECK (subject IS NULL OR issued_before IS NOT NULL)
            );
            CREATE UNIQUE INDEX IF NOT EXISTS idx_temper_store_token_revocations_jti
                ON temper_store_token_revocations (jti) WHERE jti IS NOT NULL;
            CREATE INDEX IF NOT EXISTS idx_temper_store_token_revocations_expiry
                ON temper_store_token_revocations (expires_at)"""),
        MigrationStep.create("token revocation functions", sql("tokens/revocations.sql")),
        // Personal data (docs/security.md, "Forgetting a person"): each data subject's key, only ever stored wrapped
        // by a master key; forgetting the subject removes it, and the key-less row refuses later appends.
        MigrationStep.create("temper_store_subject_keys table", """
            CREATE TABLE IF NOT EXISTS temper_store_subject_keys (
                tenant       TEXT NOT NULL,
                subject      TEXT NOT NULL,
                key_version  INT,
                nonce        BYTEA,
                wrapped_key  BYTEA,
                created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
                forgotten_at TIMESTAMPTZ,
                CHECK ((forgotten_at IS NULL)
                       = (key_version IS NOT NULL AND nonce IS NOT NULL AND wrapped_key IS NOT NULL)),
                PRIMARY KEY (tenant, subject)
            )"""),
        MigrationStep.enableTenantRls("temper_store_subject_keys"),
        // Only events that carry personal fields are in it, found by subject for export and the forget's check.
        MigrationStep.create("events subject index", "CREATE INDEX IF NOT EXISTS idx_events_subject ON events"
            + " (tenant, (metadata #>> '{personal,subject}'), entity_type, entity_id, sequence_nr)"
            + " WHERE metadata ? 'personal'"),
        MigrationStep.create("subject key functions", sql("subjects/keys.sql")),
        MigrationStep.create("subject guard trigger", sql("subjects/guard.sql")),
        MigrationStep.create("tenant purge tables, subject keys", sql("subjects/purge-tables.sql")),
        MigrationStep.create("snapshots subject column",
            "ALTER TABLE snapshots ADD COLUMN IF NOT EXISTS subject TEXT"),
        MigrationStep.create("personal snapshot functions", sql("subjects/snapshots.sql")),
        // The lone append's head lookup, planned where sorts are off (stream-head.sql).
        MigrationStep.create("stream head function", sql("stream-head.sql")));
  }

  /**
   * One step of several SQL objects, one file each in {@code folder}: their text joined in the order given, exactly
   * the text the step was released with (its checksum must not change).
   */
  private static String sql(String folder, String... files) {
    StringBuilder joined = new StringBuilder();
    for (String file : files) {
      joined.append(sql(folder + "/" + file));
    }
    return joined.toString();
  }

  private static String sql(String file) {
    String path = "db/functions/" + file;
    try (InputStream in = StoreFunctions.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
