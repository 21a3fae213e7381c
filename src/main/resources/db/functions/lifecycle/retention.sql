-- A tenant's retention policies, one per entity type: events older than max_age, or more than max_count below
-- their stream's head, are no longer served from that moment on (temper_store_served, read-events.sql). Setting
-- one also queues it for the sweeper, which turns what it finds expired into each stream's hidden_below and then
-- removes the rows: loosening or clearing a policy later serves again only what the sweeper has not reached yet.
CREATE OR REPLACE FUNCTION temper_store_set_retention(
    p_tenant text, p_type text, p_max_age_ms bigint, p_max_count bigint, p_actor text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO temper_store_retention AS r (tenant, entity_type, max_age, max_count)
    VALUES (p_tenant, p_type, p_max_age_ms * interval '1 millisecond', p_max_count)
    ON CONFLICT (tenant, entity_type) DO UPDATE
       SET max_age = EXCLUDED.max_age, max_count = EXCLUDED.max_count, changed_at = now();
    INSERT INTO temper_store_sweep_queue (kind, tenant, entity_type, entity_id)
    VALUES ('retention', p_tenant, p_type, '')
    ON CONFLICT (kind, tenant, entity_type, entity_id) DO NOTHING;
    INSERT INTO temper_store_audit (tenant, action, entity_type, actor, detail)
    VALUES (p_tenant, 'retention.set', p_type, p_actor,
            jsonb_build_object('maxAgeMillis', p_max_age_ms, 'maxCount', p_max_count));
END
$$;

-- Removes a policy; false when there was none. The sweeper drops its queue entry when it next finds it gone.
CREATE OR REPLACE FUNCTION temper_store_clear_retention(p_tenant text, p_type text, p_actor text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    DELETE FROM temper_store_retention r WHERE r.tenant = p_tenant AND r.entity_type = p_type;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO temper_store_audit (tenant, action, entity_type, actor) VALUES (p_tenant, 'retention.clear', p_type, p_actor);
    RETURN true;
END
$$;

-- A tenant's policies, by entity type.
CREATE OR REPLACE FUNCTION temper_store_list_retention(p_tenant text)
RETURNS TABLE (entity_type text, max_age_ms bigint, max_count bigint, changed_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT r.entity_type, (date_part('epoch', r.max_age) * 1000)::bigint, r.max_count, r.changed_at
          FROM temper_store_retention r WHERE r.tenant = p_tenant ORDER BY r.entity_type;
END
$$;
