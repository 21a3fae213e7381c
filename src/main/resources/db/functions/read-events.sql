-- One page of a stream, in sequence order, read with the tenant set for row-level security: only the events the
-- stream still serves (docs/protocol.md, "Stream lifecycle"): none of a tombstoned stream, none below its
-- truncation or delete (temper_store_streams.hidden_below), none past its entity type's retention policy
-- (older than max_age, or more than max_count below the head). Rows the sweeper has not removed yet are skipped.
CREATE OR REPLACE FUNCTION temper_store_read_events(
    p_tenant text, p_type text, p_id text, p_from bigint, p_limit int)
RETURNS TABLE (sequence_nr bigint, event_type text, payload jsonb, metadata jsonb)
LANGUAGE plpgsql
-- As in temper_store_append: the unique index gives the order, so a page reads only its own rows.
SET enable_sort = off
AS $$
#variable_conflict use_column
DECLARE
    hidden    bigint;
    gone      boolean;
    max_age   interval;
    max_count bigint;
    after     bigint := p_from;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    SELECT s.hidden_below, s.tombstoned INTO hidden, gone FROM temper_store_streams s
     WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id;
    IF gone THEN
        RETURN;
    END IF;
    after := greatest(after, coalesce(hidden, 0) - 1);
    SELECT r.max_age, r.max_count INTO max_age, max_count FROM temper_store_retention r
     WHERE r.tenant = p_tenant AND r.entity_type = p_type;
    IF max_count IS NOT NULL THEN
        after := greatest(after, coalesce((SELECT e.sequence_nr FROM events e
                                            WHERE e.tenant = p_tenant AND e.entity_type = p_type
                                              AND e.entity_id = p_id
                                            ORDER BY e.sequence_nr DESC LIMIT 1), 0) - max_count);
    END IF;
    RETURN QUERY
        SELECT e.sequence_nr, e.event_type, e.payload, e.metadata FROM events e
         WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id AND e.sequence_nr > after
           AND (max_age IS NULL OR e.created_at > now() - max_age)
         ORDER BY e.sequence_nr
         LIMIT p_limit;
END
$$
