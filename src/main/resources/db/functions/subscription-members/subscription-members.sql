-- A subscription's live members by name (at most p_limit): what its deliverer shares the streams between.
CREATE OR REPLACE FUNCTION temper_store_subscription_members(p_tenant text, p_name text, p_limit int)
RETURNS TABLE (member text, address text, expires_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT m.member, m.address, m.expires_at FROM temper_store_subscription_members m
         WHERE m.tenant = p_tenant AND m.subscription = p_name AND m.expires_at > now()
         ORDER BY m.member
         LIMIT p_limit;
END
$$;

