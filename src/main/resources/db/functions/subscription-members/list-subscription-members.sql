-- A tenant's live members of every subscription, by subscription and name (at most p_limit), for the list.
CREATE OR REPLACE FUNCTION temper_store_list_subscription_members(p_tenant text, p_limit int)
RETURNS TABLE (subscription text, member text, address text, expires_at timestamptz)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT m.subscription, m.member, m.address, m.expires_at FROM temper_store_subscription_members m
         WHERE m.tenant = p_tenant AND m.expires_at > now()
         ORDER BY m.subscription, m.member
         LIMIT p_limit;
END
$$;
