-- Consumer groups: the members a subscription's events are shared between, each with a lease. A member is live
-- while expires_at is in the future, by the database's clock, so every store agrees on who is live whatever its
-- own clock says. Each function sets the tenant for row-level security and names it in every predicate.

-- Joins a member, or renews its lease (and takes its new address): returns 'joined' (it was not a live member),
-- 'renewed', 'missing' (no such subscription in the tenant), 'full' (p_max live members already) or
-- 'address-taken' (another live member delivers to p_address: named in other_member), with the lease's end.
CREATE OR REPLACE FUNCTION temper_store_join_subscription(
    p_tenant text, p_name text, p_member text, p_address text, p_lease_ms bigint, p_max int)
RETURNS TABLE (outcome text, expires_at timestamptz, other_member text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_other text;
    v_expires timestamptz := now() + p_lease_ms * interval '1 millisecond';
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    -- KEY SHARE keeps the subscription from being deleted until this commits, without waiting on checkpoints.
    PERFORM 1 FROM temper_store_subscriptions s WHERE s.tenant = p_tenant AND s.name = p_name FOR KEY SHARE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'missing'::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    -- One join per subscription at a time, so that the count and the address check below hold.
    PERFORM pg_advisory_xact_lock(hashtextextended('temper_store_subscription_members ' || p_tenant || ':' || p_name, 0));
    DELETE FROM temper_store_subscription_members m
     WHERE m.tenant = p_tenant AND m.subscription = p_name AND m.expires_at <= now();
    SELECT m.member INTO v_other FROM temper_store_subscription_members m
     WHERE m.tenant = p_tenant AND m.subscription = p_name AND m.address = p_address AND m.member <> p_member
     LIMIT 1;
    IF v_other IS NOT NULL THEN
        RETURN QUERY SELECT 'address-taken'::text, NULL::timestamptz, v_other;
        RETURN;
    END IF;
    UPDATE temper_store_subscription_members m SET address = p_address, expires_at = v_expires
     WHERE m.tenant = p_tenant AND m.subscription = p_name AND m.member = p_member;
    IF FOUND THEN
        RETURN QUERY SELECT 'renewed'::text, v_expires, NULL::text;
        RETURN;
    END IF;
    IF (SELECT count(*) FROM temper_store_subscription_members m
         WHERE m.tenant = p_tenant AND m.subscription = p_name) >= p_max THEN
        RETURN QUERY SELECT 'full'::text, NULL::timestamptz, NULL::text;
        RETURN;
    END IF;
    INSERT INTO temper_store_subscription_members (tenant, subscription, member, address, expires_at)
    VALUES (p_tenant, p_name, p_member, p_address, v_expires);
    RETURN QUERY SELECT 'joined'::text, v_expires, NULL::text;
END
$$;

