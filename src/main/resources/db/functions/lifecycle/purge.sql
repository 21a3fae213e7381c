-- A tenant purge (docs/protocol.md, "tenants.purge"): every row of the tenant in every table that carries it, in
-- bounded batches, each one short transaction, resumable after a crash and idempotent. The purge's row in
-- temper_store_purges is its receipt: what each batch removed is added to it in the batch's own transaction, so a
-- purge killed at any point resumes with its counts exact.
--
-- The tables, in the order they are emptied: the subscriptions first (no more deliveries), then the data, then
-- what says how the data is served (so that nothing hidden shows again while the rest goes), the audit last. The
-- store's own, and Temper's six that carry a tenant column under the same row-level security: each of their rows
-- belongs to one tenant, none is shared (specs, trajectories, design_time_events, tenant_constraints,
-- wasm_modules, wasm_invocation_logs: the tenant's entity specifications, agent trajectories, verification
-- history, constraints, modules and module logs).
--
-- Batches and the check run as the tables' owner (SECURITY DEFINER): the runtime role has no grant on Temper's
-- own tables, and needs none for anything else. Every statement names the tenant, and sets it for row-level
-- security, which also confines them when it is forced on the owner.
CREATE OR REPLACE FUNCTION temper_store_purge_tables()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT ARRAY['temper_store_subscription_members', 'temper_store_subscriptions', 'events', 'snapshots',
                 'tenant_secrets', 'specs', 'trajectories', 'design_time_events', 'tenant_constraints',
                 'wasm_modules', 'wasm_invocation_logs', 'temper_store_streams', 'temper_store_retention',
                 'temper_store_sweep_queue', 'temper_store_audit']
$$;

-- What of a table's rows of the tenant a purge removes, beyond its tenant: everything, except the audit's records
-- of purges, which say that the tenant's data is gone and hold nothing else.
CREATE OR REPLACE FUNCTION temper_store_purge_scope(p_table text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE p_table WHEN 'temper_store_audit' THEN 'AND y.action <> ''tenant.purge''' ELSE '' END
$$;

-- Starts a purge of p_tenant, or finds the one a crash interrupted: its id, start, and what it removed so far.
CREATE OR REPLACE FUNCTION temper_store_purge_begin(p_tenant text, p_actor text)
RETURNS TABLE (purge_id bigint, started_at timestamptz, resumed boolean, removed jsonb)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    created bigint;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO temper_store_purges (tenant, actor) VALUES (p_tenant, p_actor)
    ON CONFLICT (tenant) WHERE finished_at IS NULL DO NOTHING;
    GET DIAGNOSTICS created = ROW_COUNT;
    RETURN QUERY
        SELECT p.id, p.started_at, created = 0, p.removed
          FROM temper_store_purges p WHERE p.tenant = p_tenant AND p.finished_at IS NULL;
END
$$;

-- One batch: up to p_limit rows of the first table (in temper_store_purge_tables' order) that still holds rows of
-- p_tenant, deleted and counted in the receipt. Returns that table and the count; no row when none is left. The
-- audit keeps the records of earlier purges of the tenant (temper_store_purge_scope).
CREATE OR REPLACE FUNCTION temper_store_purge_batch(p_tenant text, p_purge bigint, p_limit int)
RETURNS TABLE (table_name text, removed bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    t text;
    n bigint;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    FOREACH t IN ARRAY temper_store_purge_tables() LOOP
        EXECUTE format('DELETE FROM %I x WHERE x.ctid = ANY (ARRAY(SELECT y.ctid FROM %I y WHERE y.tenant = $1'
                       ' %s LIMIT $2))', t, t, temper_store_purge_scope(t)) USING p_tenant, p_limit;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN
            UPDATE temper_store_purges p
               SET removed = jsonb_set(p.removed, ARRAY[t], to_jsonb(coalesce((p.removed ->> t)::bigint, 0) + n))
             WHERE p.id = p_purge AND p.tenant = p_tenant;
            table_name := t; removed := n;
            RETURN NEXT;
            RETURN;
        END IF;
    END LOOP;
END
$$;

-- The proof: the rows of p_tenant left in each table, counted by its tenant column. When none is left, the purge
-- is finished and audited; otherwise (a write raced the purge) the caller runs more batches.
CREATE OR REPLACE FUNCTION temper_store_purge_finish(p_tenant text, p_purge bigint)
RETURNS TABLE (finished boolean, started_at timestamptz, finished_at timestamptz, removed jsonb, remaining jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    t    text;
    n    bigint;
    left_now jsonb := '{}';
    done boolean := true;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    FOREACH t IN ARRAY temper_store_purge_tables() LOOP
        EXECUTE format('SELECT count(*) FROM %I y WHERE y.tenant = $1 %s', t, temper_store_purge_scope(t))
           INTO n USING p_tenant;
        left_now := left_now || jsonb_build_object(t, n);
        done := done AND n = 0;
    END LOOP;
    IF done THEN
        UPDATE temper_store_purges p SET finished_at = clock_timestamp(), remaining = left_now
         WHERE p.id = p_purge AND p.tenant = p_tenant AND p.finished_at IS NULL;
        INSERT INTO temper_store_audit (tenant, action, actor, detail)
        SELECT p_tenant, 'tenant.purge', p.actor, jsonb_build_object('purge', p.id, 'removed', p.removed)
          FROM temper_store_purges p WHERE p.id = p_purge;
    END IF;
    RETURN QUERY
        SELECT done, p.started_at, p.finished_at, p.removed, left_now
          FROM temper_store_purges p WHERE p.id = p_purge AND p.tenant = p_tenant;
END
$$;

-- Functions that run as the owner are for the roles the store serves as (RuntimeGrants), not for every role that
-- can connect: PostgreSQL lets PUBLIC execute a new function unless told otherwise.
REVOKE EXECUTE ON FUNCTION temper_store_purge_batch(text, bigint, int), temper_store_purge_finish(text, bigint)
    FROM PUBLIC;
