-- A stream's head as the lone append's INSERT checks it (AppendStatements): the highest sequence at or above
-- p_from, or 0 when there is none. A function only so that its plan can never sort: a client's statement cannot
-- turn sorts off, and where events had no statistics yet (autovacuum off, or before its first ANALYZE) the planner
-- judged the listing index (idx_events_tenant_entity) plus a sort as cheap as the unique index walked backwards, and
-- read the whole stream on every append (4.4 ms against 0.04 ms for a stream of 50,000 events). STABLE, so it reads
-- with the snapshot of the INSERT that calls it, taken before that INSERT gives the transaction its id
-- (docs/feed.md); row-level security applies as to the INSERT, whose first CTE set the tenant.
CREATE OR REPLACE FUNCTION temper_store_stream_head(p_tenant text, p_type text, p_id text, p_from bigint)
RETURNS bigint
LANGUAGE plpgsql
STABLE
SET enable_sort = off
AS $$
BEGIN
    RETURN coalesce((SELECT e.sequence_nr FROM events e
                      WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
                        AND e.sequence_nr >= p_from
                      ORDER BY e.sequence_nr DESC LIMIT 1), 0);
END
$$;
