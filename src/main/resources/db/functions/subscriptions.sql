-- Durable subscriptions: a named reader of a tenant's feed whose checkpoint lives here. Each operation sets the
-- tenant for row-level security, as the other stores do. The filter arrays are stored sorted, empty meaning
-- every type, so that two definitions compare as sets. `version` is the id of the transaction that created or
-- last reset the subscription, so it changes on every reset and on a delete and re-create: a deliverer saves its
-- checkpoint only under the version it started from, so a reset is never overwritten by a delivery in progress.

-- Creates a subscription unless one of that name exists: returns 'created', or 'exists' with the existing
-- definition (the caller compares), or 'full' when the tenant already has p_max subscriptions.
CREATE OR REPLACE FUNCTION temper_store_create_subscription(
    p_tenant text, p_name text, p_address text, p_entity_types text[], p_event_types text[],
    p_from_tx bigint, p_from_id bigint, p_max int)
RETURNS TABLE (outcome text, address text, entity_types text[], event_types text[], from_tx bigint, from_id bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    -- One creation per tenant at a time, so that the count below holds.
    PERFORM pg_advisory_xact_lock(hashtextextended('temper_store_subscriptions ' || p_tenant, 0));
    RETURN QUERY SELECT 'exists'::text, s.address, s.entity_types, s.event_types, s.from_tx, s.from_id
                   FROM temper_store_subscriptions s WHERE s.tenant = p_tenant AND s.name = p_name;
    IF FOUND THEN
        RETURN;
    END IF;
    IF (SELECT count(*) FROM temper_store_subscriptions s WHERE s.tenant = p_tenant) >= p_max THEN
        RETURN QUERY SELECT 'full'::text, NULL::text, NULL::text[], NULL::text[], NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO temper_store_subscriptions (tenant, name, address, entity_types, event_types, from_tx, from_id,
                                            checkpoint_tx, checkpoint_id, version)
    VALUES (p_tenant, p_name, p_address, p_entity_types, p_event_types, p_from_tx, p_from_id, p_from_tx, p_from_id,
            pg_current_xact_id()::text::bigint);
    RETURN QUERY SELECT 'created'::text, p_address, p_entity_types, p_event_types, p_from_tx, p_from_id;
END
$$;

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

-- A tenant's subscriptions by name (at most p_limit), each with its checkpoint and lag.
CREATE OR REPLACE FUNCTION temper_store_list_subscriptions(p_tenant text, p_limit int, p_lag_cap int)
RETURNS TABLE (name text, address text, entity_types text[], event_types text[], checkpoint_tx bigint,
               checkpoint_id bigint, checkpointed_at timestamptz, lag_events bigint, lag_seconds double precision)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT s.name, s.address, s.entity_types, s.event_types, s.checkpoint_tx, s.checkpoint_id,
               s.checkpointed_at, l.lag_events, l.lag_seconds
          FROM (SELECT * FROM temper_store_subscriptions s0 WHERE s0.tenant = p_tenant
                 ORDER BY s0.name LIMIT p_limit) s
          CROSS JOIN LATERAL temper_store_subscription_lag(p_tenant, s.checkpoint_tx, s.checkpoint_id,
                                                            s.entity_types, s.event_types, p_lag_cap) l
         ORDER BY s.name;
END
$$;

-- Moves a subscription's checkpoint anywhere (back to replay, ahead to skip); its deliverer restarts there.
CREATE OR REPLACE FUNCTION temper_store_reset_subscription(p_tenant text, p_name text, p_tx bigint, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    UPDATE temper_store_subscriptions s
       SET checkpoint_tx = p_tx, checkpoint_id = p_id, version = pg_current_xact_id()::text::bigint,
           checkpointed_at = now()
     WHERE s.tenant = p_tenant AND s.name = p_name;
    RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION temper_store_delete_subscription(p_tenant text, p_name text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    DELETE FROM temper_store_subscriptions s WHERE s.tenant = p_tenant AND s.name = p_name;
    RETURN FOUND;
END
$$;

-- A deliverer's checkpoint: saved only under the version it started from, and only forwards. False when the
-- subscription was reset or deleted meanwhile: the deliverer then stops and starts again from what is stored.
CREATE OR REPLACE FUNCTION temper_store_save_checkpoint(
    p_tenant text, p_name text, p_version bigint, p_tx bigint, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    UPDATE temper_store_subscriptions s
       SET checkpoint_tx = p_tx, checkpoint_id = p_id, checkpointed_at = now()
     WHERE s.tenant = p_tenant AND s.name = p_name AND s.version = p_version
       AND (s.checkpoint_tx, s.checkpoint_id) <= (p_tx, p_id);
    RETURN FOUND;
END
$$;

-- Every tenant's subscriptions, for the deliverers to claim. Row-level security would show a role only the
-- tenant it has set, so this one function runs as the tables' owner (SECURITY DEFINER) and returns definitions
-- only: it takes no tenant and changes nothing.
CREATE OR REPLACE FUNCTION temper_store_subscriptions_to_deliver(p_limit int)
RETURNS TABLE (tenant text, name text, address text, entity_types text[], event_types text[],
               checkpoint_tx bigint, checkpoint_id bigint, version bigint)
LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT s.tenant, s.name, s.address, s.entity_types, s.event_types, s.checkpoint_tx, s.checkpoint_id, s.version
      FROM temper_store_subscriptions s
     ORDER BY s.tenant, s.name
     LIMIT p_limit
$$
