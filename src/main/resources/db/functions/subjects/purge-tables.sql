-- The tables a tenant purge empties (lifecycle/purge.sql; its notices kept as lifecycle/notices.sql says), now with
-- the data keys of the tenant's subjects.
CREATE OR REPLACE FUNCTION temper_store_purge_tables()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT ARRAY['temper_store_subscription_members', 'temper_store_subscriptions', 'events', 'snapshots',
                 'tenant_secrets', 'specs', 'trajectories', 'design_time_events', 'tenant_constraints',
                 'wasm_modules', 'wasm_invocation_logs', 'temper_store_streams', 'temper_store_retention',
                 'temper_store_sweep_queue', 'temper_store_notices', 'temper_store_subject_keys',
                 'temper_store_audit']
$$;
