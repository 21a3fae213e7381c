-- One page of a stream, in sequence order, read with the tenant set for row-level security: only the events the
-- stream still serves (docs/protocol.md, "Stream lifecycle"): none of a tombstoned stream, none below its
-- truncation or delete (temper_store_streams.hidden_below), none past its entity type's retention policy (older
-- than max_age, or more than max_count below the head). Rows the sweeper has not removed yet are skipped. One
-- statement, so the page, the stream's lifecycle row and the policy are read from one snapshot: a delete that
-- commits meanwhile is either wholly in the page's view or not at all.
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
        WITH stream AS (
            SELECT s.hidden_below, s.tombstoned FROM temper_store_streams s
             WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id),
        policy AS (
            SELECT r.max_age, r.max_count FROM temper_store_retention r
             WHERE r.tenant = p_tenant AND r.entity_type = p_type),
        first_served AS (
            SELECT greatest(p_from,
                            coalesce((SELECT st.hidden_below - 1 FROM stream st), 0),
                            coalesce((SELECT (SELECT h.sequence_nr FROM events h
                                               WHERE h.tenant = p_tenant AND h.entity_type = p_type
                                                 AND h.entity_id = p_id
                                               ORDER BY h.sequence_nr DESC LIMIT 1) - po.max_count
                                        FROM policy po WHERE po.max_count IS NOT NULL), 0)) AS after)
        SELECT e.sequence_nr, e.event_type, e.payload, e.metadata FROM events e
         WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
           AND e.sequence_nr > (SELECT f.after FROM first_served f)
           AND NOT coalesce((SELECT st.tombstoned FROM stream st), false)
           AND e.created_at > coalesce(now() - (SELECT po.max_age FROM policy po), '-infinity')
         ORDER BY e.sequence_nr
         LIMIT p_limit;
END
$$
