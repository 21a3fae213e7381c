-- One secret's ciphertext, nonce and key version, read with the tenant set for row-level security.
CREATE OR REPLACE FUNCTION temper_store_get_secret(p_tenant text, p_key text)
RETURNS TABLE (ciphertext bytea, nonce bytea, key_version int)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY SELECT s.ciphertext, s.nonce, s.key_version FROM tenant_secrets s
                  WHERE s.tenant = p_tenant AND s.key_name = p_key;
END
$$
