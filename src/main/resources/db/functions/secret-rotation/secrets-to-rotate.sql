CREATE OR REPLACE FUNCTION temper_store_secrets_to_rotate(p_tenant text, p_primary int, p_after text, p_limit int)
RETURNS TABLE (key_name text, ciphertext bytea, nonce bytea, key_version int)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY SELECT s.key_name, s.ciphertext, s.nonce, s.key_version FROM tenant_secrets s
                  WHERE s.tenant = p_tenant AND s.key_version <> p_primary AND s.key_name > coalesce(p_after, '')
                  ORDER BY s.key_name LIMIT p_limit;
END
$$;

