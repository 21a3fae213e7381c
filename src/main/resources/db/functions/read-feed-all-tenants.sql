-- One page of the feed across every tenant, for an operator: the same order, horizon and check of what is still
-- served as temper_store_read_feed (see read-feed.sql), (writing transaction, id) below the oldest running
-- transaction, with no tenant predicate and no tenant set, read through idx_events_feed_all_tenants.
--
-- It sets no tenant, so under row-level security it would see nothing and return an empty page as if the feed were
-- empty. It refuses instead: only a role to which the policies do not apply (BYPASSRLS, a superuser, or the tables'
-- owner while row-level security is not forced on it) may read every tenant. The runtime role is never one.
CREATE OR REPLACE FUNCTION temper_store_read_feed_all_tenants(
    p_after_tx bigint, p_after_id bigint, p_types text[], p_event_types text[], p_limit int)
RETURNS TABLE (tx bigint, id bigint, tenant text, entity_type text, entity_id text, sequence_nr bigint,
               event_type text, payload jsonb, metadata jsonb)
LANGUAGE plpgsql
-- feed-plans.sql's setting, which CREATE OR REPLACE would drop: only the feed index's order serves.
SET enable_sort = off
AS $$
#variable_conflict use_column
DECLARE
    horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
BEGIN
    IF row_security_active('events') THEN
        RAISE EXCEPTION 'role % may not read every tenant: row-level security applies to it on events', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'read across tenants as a role with BYPASSRLS, or as the tables'' owner while row-level'
                      || ' security is not forced on it';
    END IF;
    RETURN QUERY
        SELECT coalesce(e.tx_id, '0'::xid8)::text::bigint, e.id, e.tenant, e.entity_type, e.entity_id,
               e.sequence_nr, e.event_type, e.payload, e.metadata
          FROM events e
         WHERE (coalesce(e.tx_id, '0'::xid8), e.id) > (p_after_tx::text::xid8, p_after_id)
           AND coalesce(e.tx_id, '0'::xid8) < horizon
           AND (p_types IS NULL OR e.entity_type = ANY (p_types))
           AND (p_event_types IS NULL OR e.event_type = ANY (p_event_types))
           -- Still served (docs/protocol.md, "Stream lifecycle"). Not one of the rows the lifecycle leaves behind (a
           -- deleted stream's cleared last row, a tombstone's rows; '$' event types are the store's own). Then,
           -- computed once per statement, whether any tenant has rows hidden but not swept yet, or a retention
           -- policy: only then is each event checked against its stream (neither tombstoned nor hidden below the
           -- event) and its type's policy, a probe of each table per event.
           AND e.event_type NOT IN ('$deleted', '$tombstone', '$lifecycle')
           AND ((SELECT NOT EXISTS (SELECT 1 FROM temper_store_streams t WHERE t.swept_below < t.hidden_below)
                    AND NOT EXISTS (SELECT 1 FROM temper_store_retention t))
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
$$
