-- A tenant's secret names, sorted; never values.
CREATE OR REPLACE FUNCTION temper_store_list_secrets(p_tenant text, p_limit int)
RETURNS TABLE (key_name text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY SELECT s.key_name FROM tenant_secrets s WHERE s.tenant = p_tenant ORDER BY s.key_name LIMIT p_limit;
END
$$
