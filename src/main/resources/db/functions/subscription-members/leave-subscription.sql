-- Ends a membership at once; false when there was none (or the subscription does not exist).
CREATE OR REPLACE FUNCTION temper_store_leave_subscription(p_tenant text, p_name text, p_member text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    DELETE FROM temper_store_subscription_members m
     WHERE m.tenant = p_tenant AND m.subscription = p_name AND m.member = p_member;
    RETURN FOUND;
END
$$;

