-- Subscriptions that ask for lifecycle notices (lifecycle/notices.sql): the definition gains a flag, so these three
-- functions return it. New names, because a function's result cannot change in place: the earlier three stay, with
-- their results, for a store of an earlier release on the same database (which delivers such a subscription its
-- events without the notices).
CREATE OR REPLACE FUNCTION temper_store_create_subscription2(
    p_tenant text, p_name text, p_address text, p_entity_types text[], p_event_types text[], p_notices boolean,
    p_from_tx bigint, p_from_id bigint, p_max int)
RETURNS TABLE (outcome text, address text, entity_types text[], event_types text[], notices boolean, from_tx bigint,
               from_id bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    -- One creation per tenant at a time, so that the count below holds.
    PERFORM pg_advisory_xact_lock(hashtextextended('temper_store_subscriptions ' || p_tenant, 0));
    RETURN QUERY SELECT 'exists'::text, s.address, s.entity_types, s.event_types, s.notices, s.from_tx, s.from_id
                   FROM temper_store_subscriptions s WHERE s.tenant = p_tenant AND s.name = p_name;
    IF FOUND THEN
        RETURN;
    END IF;
    IF (SELECT count(*) FROM temper_store_subscriptions s WHERE s.tenant = p_tenant) >= p_max THEN
        RETURN QUERY SELECT 'full'::text, NULL::text, NULL::text[], NULL::text[], NULL::boolean, NULL::bigint,
                            NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO temper_store_subscriptions (tenant, name, address, entity_types, event_types, notices, from_tx,
                                            from_id, checkpoint_tx, checkpoint_id, version)
    VALUES (p_tenant, p_name, p_address, p_entity_types, p_event_types, p_notices, p_from_tx, p_from_id, p_from_tx,
            p_from_id, pg_current_xact_id()::text::bigint);
    RETURN QUERY SELECT 'created'::text, p_address, p_entity_types, p_event_types, p_notices, p_from_tx, p_from_id;
END
$$;

CREATE OR REPLACE FUNCTION temper_store_list_subscriptions2(p_tenant text, p_limit int, p_lag_cap int)
RETURNS TABLE (name text, address text, entity_types text[], event_types text[], notices boolean,
               checkpoint_tx bigint, checkpoint_id bigint, checkpointed_at timestamptz, lag_events bigint,
               lag_seconds double precision)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT s.name, s.address, s.entity_types, s.event_types, s.notices, s.checkpoint_tx, s.checkpoint_id,
               s.checkpointed_at, l.lag_events, l.lag_seconds
          FROM (SELECT * FROM temper_store_subscriptions s0 WHERE s0.tenant = p_tenant
                 ORDER BY s0.name LIMIT p_limit) s
          CROSS JOIN LATERAL temper_store_subscription_lag(p_tenant, s.checkpoint_tx, s.checkpoint_id,
                                                            s.entity_types, s.event_types, p_lag_cap) l
         ORDER BY s.name;
END
$$;

CREATE OR REPLACE FUNCTION temper_store_subscriptions_to_deliver2(p_limit int)
RETURNS TABLE (tenant text, name text, address text, entity_types text[], event_types text[], notices boolean,
               checkpoint_tx bigint, checkpoint_id bigint, version bigint)
LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT s.tenant, s.name, s.address, s.entity_types, s.event_types, s.notices, s.checkpoint_tx,
           s.checkpoint_id, s.version
      FROM temper_store_subscriptions s
     ORDER BY s.tenant, s.name
     LIMIT p_limit
$$
