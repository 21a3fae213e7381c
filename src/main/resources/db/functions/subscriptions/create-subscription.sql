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

