-- One page of the feed across every tenant, for an operator: the same order and horizon as
-- temper_store_read_feed (see read-feed.sql), only events still served, (writing transaction, id) below the oldest running transaction, with
-- no tenant predicate and no tenant set, read through idx_events_feed_all_tenants.
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
           AND temper_store_served(e.tenant, e.entity_type, e.entity_id, e.sequence_nr, e.created_at)
         ORDER BY coalesce(e.tx_id, '0'::xid8), e.id
         LIMIT p_limit;
END
$$
