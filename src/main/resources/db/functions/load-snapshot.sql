-- The latest snapshot of an entity, read with the tenant set for row-level security; none of a tombstoned stream
-- or below its truncation (a snapshot saved after the stream was truncated past it describes hidden events).
CREATE OR REPLACE FUNCTION temper_store_load_snapshot(p_tenant text, p_type text, p_id text)
RETURNS TABLE (sequence_nr bigint, state bytea)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT s.sequence_nr, s.state FROM snapshots s
         WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id
           AND NOT EXISTS (SELECT 1 FROM temper_store_streams t
                            WHERE t.tenant = p_tenant AND t.entity_type = p_type AND t.entity_id = p_id
                              AND (t.tombstoned OR s.sequence_nr < t.hidden_below));
END
$$
