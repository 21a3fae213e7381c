-- One page of a tenant's feed: its events in the global order, after a position, optionally only some entity
-- types and event types, read with the tenant set for row-level security.
--
-- The order is (writing transaction, id). A bigserial id is taken at INSERT but seen at COMMIT, so ids alone
-- commit out of order and a reader that moved past a gap would lose the late committer for ever. Instead every
-- row records its transaction (events.tx_id, pg_current_xact_id() by default), and a page holds only rows of
-- transactions below the oldest one still running (pg_snapshot_xmin): each of those has committed or rolled back,
-- so nothing can appear below a position once a reader has seen it. Rows Temper wrote before the column existed
-- have no transaction and come first, as transaction 0, in id order. Group commit writes many appends in one
-- transaction: they share its position's first half and keep their id order. Events no longer served (truncated,
-- deleted, tombstoned or past a retention policy) are skipped from the moment that committed; PgFeed's streamed
-- page repeats this query, the check included.
CREATE OR REPLACE FUNCTION temper_store_read_feed(
    p_tenant text, p_after_tx bigint, p_after_id bigint, p_types text[], p_event_types text[], p_limit int)
RETURNS TABLE (tx bigint, id bigint, entity_type text, entity_id text, sequence_nr bigint, event_type text,
               payload jsonb, metadata jsonb)
LANGUAGE plpgsql
-- As the tables' owner: under row-level security PostgreSQL treats the position's coalesce() as leaky and will not
-- use it as an index condition before the policy, so as the runtime role every page scanned the tenant's index
-- from its start (a page 2,000 events from the end of 364,000: 20,820 buffers; as the owner, a few). The function
-- names the tenant in its predicate and sets it; when row-level security is forced on the owner it applies here
-- too, and pages are as slow as before. EXECUTE is revoked from PUBLIC below.
SECURITY DEFINER
SET search_path = public, pg_temp
-- feed-plans.sql's setting, which CREATE OR REPLACE would drop: only the feed index's order serves.
SET enable_sort = off
AS $$
#variable_conflict use_column
DECLARE
    horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT coalesce(e.tx_id, '0'::xid8)::text::bigint, e.id, e.entity_type, e.entity_id, e.sequence_nr,
               e.event_type, e.payload, e.metadata
          FROM events e
         WHERE e.tenant = p_tenant
           AND (coalesce(e.tx_id, '0'::xid8), e.id) > (p_after_tx::text::xid8, p_after_id)
           AND coalesce(e.tx_id, '0'::xid8) < horizon
           AND (p_types IS NULL OR e.entity_type = ANY (p_types))
           AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
           -- Still served (docs/protocol.md, "Stream lifecycle"). Not one of the rows the lifecycle leaves behind (a
           -- deleted stream's cleared last row, a tombstone's rows; '$' event types are the store's own). Then,
           -- computed once per statement, whether the tenant has rows hidden but not swept yet, or a retention
           -- policy: only then is each event checked against its stream (neither tombstoned nor hidden below the
           -- event) and its type's policy, a probe of each table per event.
           AND e.event_type NOT IN ('$deleted', '$tombstone', '$lifecycle')
           AND ((SELECT NOT EXISTS (SELECT 1 FROM temper_store_streams t
                                     WHERE t.tenant = p_tenant AND t.swept_below < t.hidden_below)
                    AND NOT EXISTS (SELECT 1 FROM temper_store_retention t WHERE t.tenant = p_tenant))
                OR (NOT EXISTS (SELECT 1 FROM temper_store_streams s
                                 WHERE s.tenant = e.tenant AND s.entity_type = e.entity_type
                                   AND s.entity_id = e.entity_id AND (s.tombstoned OR e.sequence_nr < s.hidden_below))
                    AND NOT EXISTS (SELECT 1 FROM temper_store_retention r
                                     WHERE r.tenant = e.tenant AND r.entity_type = e.entity_type
                                       AND (e.created_at <= now() - r.max_age
                                            OR e.sequence_nr <= (SELECT h.sequence_nr FROM events h
                                                                  WHERE h.tenant = e.tenant
                                                                    AND h.entity_type = e.entity_type
                                                                    AND h.entity_id = e.entity_id
                                                                  ORDER BY h.sequence_nr DESC LIMIT 1)
                                                               - r.max_count))))
         ORDER BY coalesce(e.tx_id, '0'::xid8), e.id
         LIMIT p_limit;
END
$$;

REVOKE EXECUTE ON FUNCTION temper_store_read_feed(text, bigint, bigint, text[], text[], int) FROM PUBLIC;
