-- A tenant's subscriptions by name (at most p_limit), each with its checkpoint and lag.
CREATE OR REPLACE FUNCTION temper_store_list_subscriptions(p_tenant text, p_limit int, p_lag_cap int)
RETURNS TABLE (name text, address text, entity_types text[], event_types text[], checkpoint_tx bigint,
               checkpoint_id bigint, checkpointed_at timestamptz, lag_events bigint, lag_seconds double precision)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT s.name, s.address, s.entity_types, s.event_types, s.checkpoint_tx, s.checkpoint_id,
               s.checkpointed_at, l.lag_events, l.lag_seconds
          FROM (SELECT * FROM temper_store_subscriptions s0 WHERE s0.tenant = p_tenant
                 ORDER BY s0.name LIMIT p_limit) s
          CROSS JOIN LATERAL temper_store_subscription_lag(p_tenant, s.checkpoint_tx, s.checkpoint_id,
                                                            s.entity_types, s.event_types, p_lag_cap) l
         ORDER BY s.name;
END
$$;

