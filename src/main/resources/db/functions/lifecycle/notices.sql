-- Lifecycle notices (docs/protocol.md, "Lifecycle notices"): every stream truncated, deleted or tombstoned and
-- every tenant purged leaves a notice at the position of the transaction that did it, for the feed readers and
-- subscriptions that ask for them, and a notification that tells every store's deliverers at once.
--
-- Written by a trigger on the audit, whose row every such action already writes in its own transaction (the
-- change and the purge's end), so the functions that act need no change and no action can skip its notice. The
-- notice takes the transaction's id and an id from the events' sequence: it sorts into the feed's one order
-- exactly where the action committed, after every event it concerns that a reader could have seen.
CREATE OR REPLACE FUNCTION temper_store_lifecycle_notice()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    notice text := CASE NEW.action WHEN 'stream.truncate' THEN '$stream-truncated'
                                   WHEN 'stream.delete' THEN '$stream-deleted'
                                   WHEN 'stream.tombstone' THEN '$stream-tombstoned'
                                   WHEN 'tenant.purge' THEN '$tenant-purged' END;
BEGIN
    IF notice IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO temper_store_notices (tenant, notice, entity_type, entity_id, head, served_from, actor, at)
    VALUES (NEW.tenant, notice, NEW.entity_type, NEW.entity_id, (NEW.detail ->> 'head')::bigint,
            (NEW.detail ->> 'hiddenBelow')::bigint, NEW.actor, NEW.at);
    -- Delivered at commit to every store listening (FeedWakeups), which drops what its deliverers read ahead and
    -- no longer serve. At most about 6,200 bytes (a persistence id is at most 1,024 UTF-8 bytes, JSON escapes a
    -- character in 6 at most), under PostgreSQL's 8,000.
    PERFORM pg_notify('temper_store_lifecycle',
        CASE WHEN NEW.entity_type IS NULL THEN json_build_array(NEW.tenant)
             ELSE json_build_array(NEW.tenant, NEW.entity_type, NEW.entity_id,
                                   (NEW.detail ->> 'hiddenBelow')::bigint) END::text);
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS temper_store_lifecycle_notice ON temper_store_audit;
CREATE TRIGGER temper_store_lifecycle_notice AFTER INSERT ON temper_store_audit
    FOR EACH ROW EXECUTE FUNCTION temper_store_lifecycle_notice();

-- A purge removes the tenant's notices too, except those of its purges: like the audit's records of them, they
-- say the data is gone and hold nothing else (purge.sql).
CREATE OR REPLACE FUNCTION temper_store_purge_tables()
RETURNS text[]
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT ARRAY['temper_store_subscription_members', 'temper_store_subscriptions', 'events', 'snapshots',
                 'tenant_secrets', 'specs', 'trajectories', 'design_time_events', 'tenant_constraints',
                 'wasm_modules', 'wasm_invocation_logs', 'temper_store_streams', 'temper_store_retention',
                 'temper_store_sweep_queue', 'temper_store_notices', 'temper_store_audit']
$$;

CREATE OR REPLACE FUNCTION temper_store_purge_scope(p_table text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT CASE p_table WHEN 'temper_store_audit' THEN 'AND y.action <> ''tenant.purge'''
                        WHEN 'temper_store_notices' THEN 'AND y.notice <> ''$tenant-purged'''
                        ELSE '' END
$$;

-- A notice as the feed returns it: an event of the store's own type (a '$' name, which no append may use) on the
-- stream it concerns, or on '$tenant' named after the tenant for a purge; its sequence the stream's head when it
-- happened; its payload what a projection needs to drop its rows.
CREATE OR REPLACE FUNCTION temper_store_notice_payload(p_head bigint, p_served_from bigint)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('head', p_head, 'servedFrom', p_served_from))
$$;

CREATE OR REPLACE FUNCTION temper_store_notice_metadata(p_tenant text, p_tx xid8, p_id bigint, p_actor text,
                                                        p_at timestamptz)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE
AS $$
    SELECT jsonb_build_object(
        'event_id', md5('temper-store notice ' || p_tenant || ' ' || p_tx::text || ' ' || p_id)::uuid,
        'causation_id', md5('temper-store notice ' || p_tenant || ' ' || p_tx::text || ' ' || p_id)::uuid,
        'correlation_id', md5('temper-store notice ' || p_tenant || ' ' || p_tx::text || ' ' || p_id)::uuid,
        'timestamp', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'actor_id', p_actor)
$$;

-- A tenant's feed with its notices: temper_store_read_feed's page and the notices after the same position, below
-- one horizon taken first (each of the two reads takes its own snapshot later, which sees every transaction below
-- it finished), merged in the feed's order. A notice's payload and metadata are built only for the rows the page
-- keeps. As the owner, as temper_store_read_feed (which says why).
CREATE OR REPLACE FUNCTION temper_store_read_feed_notices(
    p_tenant text, p_after_tx bigint, p_after_id bigint, p_types text[], p_event_types text[], p_limit int)
RETURNS TABLE (tx bigint, id bigint, entity_type text, entity_id text, sequence_nr bigint, event_type text,
               payload jsonb, metadata jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    -- No notice ahead (a reader at the end, or past the last change): the page alone, not copied and sorted again.
    IF NOT EXISTS (SELECT 1 FROM temper_store_notices n
                    WHERE n.tenant = p_tenant AND (n.tx_id, n.id) > (p_after_tx::text::xid8, p_after_id)
                      AND n.tx_id < horizon) THEN
        RETURN QUERY
            SELECT f.tx, f.id, f.entity_type, f.entity_id, f.sequence_nr, f.event_type, f.payload, f.metadata
              FROM temper_store_read_feed(p_tenant, p_after_tx, p_after_id, p_types, p_event_types, p_limit) f
             WHERE f.tx < horizon::text::bigint;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT u.tx, u.id, u.entity_type, u.entity_id, u.sequence_nr, u.event_type,
               coalesce(u.payload, temper_store_notice_payload(u.head, u.served_from)),
               coalesce(u.metadata, temper_store_notice_metadata(p_tenant, u.tx::text::xid8, u.id, u.actor, u.at))
          FROM (SELECT m.* FROM (
                    SELECT f.tx, f.id, f.entity_type, f.entity_id, f.sequence_nr, f.event_type, f.payload,
                           f.metadata, NULL::bigint AS head, NULL::bigint AS served_from, NULL::text AS actor,
                           NULL::timestamptz AS at
                      FROM temper_store_read_feed(p_tenant, p_after_tx, p_after_id, p_types, p_event_types,
                                                  p_limit) f
                     WHERE f.tx < horizon::text::bigint
                    UNION ALL
                    (SELECT n.tx_id::text::bigint, n.id, coalesce(n.entity_type, '$tenant'),
                            coalesce(n.entity_id, n.tenant), coalesce(n.head, 0), n.notice, NULL::jsonb, NULL::jsonb,
                            n.head, n.served_from, n.actor, n.at
                       FROM temper_store_notices n
                      WHERE n.tenant = p_tenant
                        AND (n.tx_id, n.id) > (p_after_tx::text::xid8, p_after_id)
                        AND n.tx_id < horizon
                        AND (p_types IS NULL OR n.entity_type IS NULL OR n.entity_type = ANY (p_types))
                      ORDER BY n.tx_id, n.id
                      LIMIT p_limit)) m
                 ORDER BY m.tx, m.id
                 LIMIT p_limit) u
         ORDER BY u.tx, u.id;
END
$$;

REVOKE EXECUTE ON FUNCTION temper_store_read_feed_notices(text, bigint, bigint, text[], text[], int) FROM PUBLIC;

-- Every tenant's feed with every tenant's notices, for an operator (as temper_store_read_feed_all_tenants).
CREATE OR REPLACE FUNCTION temper_store_read_feed_all_tenants_notices(
    p_after_tx bigint, p_after_id bigint, p_types text[], p_event_types text[], p_limit int)
RETURNS TABLE (tx bigint, id bigint, tenant text, entity_type text, entity_id text, sequence_nr bigint,
               event_type text, payload jsonb, metadata jsonb)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
BEGIN
    RETURN QUERY
        SELECT u.tx, u.id, u.tenant, u.entity_type, u.entity_id, u.sequence_nr, u.event_type,
               coalesce(u.payload, temper_store_notice_payload(u.head, u.served_from)),
               coalesce(u.metadata, temper_store_notice_metadata(u.tenant, u.tx::text::xid8, u.id, u.actor, u.at))
          FROM (SELECT m.* FROM (
                    SELECT f.tx, f.id, f.tenant, f.entity_type, f.entity_id, f.sequence_nr, f.event_type, f.payload,
                           f.metadata, NULL::bigint AS head, NULL::bigint AS served_from, NULL::text AS actor,
                           NULL::timestamptz AS at
                      FROM temper_store_read_feed_all_tenants(p_after_tx, p_after_id, p_types, p_event_types,
                                                              p_limit) f
                     WHERE f.tx < horizon::text::bigint
                    UNION ALL
                    (SELECT n.tx_id::text::bigint, n.id, n.tenant, coalesce(n.entity_type, '$tenant'),
                            coalesce(n.entity_id, n.tenant), coalesce(n.head, 0), n.notice, NULL::jsonb, NULL::jsonb,
                            n.head, n.served_from, n.actor, n.at
                       FROM temper_store_notices n
                      WHERE (n.tx_id, n.id) > (p_after_tx::text::xid8, p_after_id)
                        AND n.tx_id < horizon
                        AND (p_types IS NULL OR n.entity_type IS NULL OR n.entity_type = ANY (p_types))
                      ORDER BY n.tx_id, n.id
                      LIMIT p_limit)) m
                 ORDER BY m.tx, m.id
                 LIMIT p_limit) u
         ORDER BY u.tx, u.id;
END
$$;
