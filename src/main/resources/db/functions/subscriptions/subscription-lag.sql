-- How far a reader at (p_after_tx, p_after_id) is behind: the tenant's events after it that the filter admits,
-- counted up to p_cap, and the age in seconds of the oldest of them (0 when none).
CREATE OR REPLACE FUNCTION temper_store_subscription_lag(
    p_tenant text, p_after_tx bigint, p_after_id bigint, p_types text[], p_event_types text[], p_cap int)
RETURNS TABLE (lag_events bigint, lag_seconds double precision)
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        WITH behind AS (
            SELECT e.created_at FROM events e
             WHERE e.tenant = p_tenant
               AND (coalesce(e.tx_id, '0'::xid8), e.id) > (p_after_tx::text::xid8, p_after_id)
               AND (cardinality(p_types) = 0 OR e.entity_type = ANY (p_types))
               AND (cardinality(p_event_types) = 0 OR e.event_type = ANY (p_event_types))
             ORDER BY coalesce(e.tx_id, '0'::xid8), e.id
             LIMIT p_cap)
        SELECT count(*), coalesce(extract(epoch FROM now() - min(b.created_at))::double precision, 0)
          FROM behind b;
END
$$;

