-- Deletes one secret; true when there was one.
CREATE OR REPLACE FUNCTION temper_store_delete_secret(p_tenant text, p_key text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    DELETE FROM tenant_secrets s WHERE s.tenant = p_tenant AND s.key_name = p_key;
    RETURN FOUND;
END
$$
