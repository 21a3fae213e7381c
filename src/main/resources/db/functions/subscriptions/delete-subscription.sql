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

