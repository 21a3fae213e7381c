CREATE OR REPLACE FUNCTION temper_store_count_secrets_to_rotate(p_tenant text, p_primary int)
RETURNS bigint
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_tenant IS NOT NULL THEN
        PERFORM set_config('app.current_tenant', p_tenant, true);
        RETURN (SELECT count(*) FROM tenant_secrets s WHERE s.tenant = p_tenant AND s.key_version <> p_primary);
    END IF;
    RETURN (SELECT count(*) FROM tenant_secrets s WHERE s.key_version <> p_primary);
END
$$
