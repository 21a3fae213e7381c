-- One page of a stream, in sequence order, read with the tenant set for row-level security.
CREATE OR REPLACE FUNCTION temper_store_read_events(
    p_tenant text, p_type text, p_id text, p_from bigint, p_limit int)
RETURNS TABLE (sequence_nr bigint, event_type text, payload jsonb, metadata jsonb)
LANGUAGE plpgsql
-- As in temper_store_append: the unique index gives the order, so a page reads only its own rows.
SET enable_sort = off
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT e.sequence_nr, e.event_type, e.payload, e.metadata FROM events e
         WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id AND e.sequence_nr > p_from
         ORDER BY e.sequence_nr
         LIMIT p_limit;
END
$$
