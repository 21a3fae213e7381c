-- Key rotation, in bounded batches that can stop and resume anywhere: which tenants have secrets under an old
-- key, a tenant's next secrets under an old key (after a key-name cursor), and a compare-and-set that stores a
-- re-encrypted secret only if nobody replaced it meanwhile (same key version and nonce as read).
CREATE OR REPLACE FUNCTION temper_store_secret_tenants_to_rotate(p_primary int, p_after text, p_limit int)
RETURNS TABLE (tenant text)
LANGUAGE sql
AS $$
    SELECT DISTINCT s.tenant FROM tenant_secrets s
     WHERE s.key_version <> p_primary AND s.tenant > coalesce(p_after, '')
     ORDER BY s.tenant LIMIT p_limit
$$;

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

CREATE OR REPLACE FUNCTION temper_store_store_rotated_secrets(
    p_tenant text, p_keys text[], p_old_versions int[], p_old_nonces bytea[], p_ciphertexts bytea[],
    p_nonces bytea[], p_version int)
RETURNS int
LANGUAGE plpgsql
AS $$
DECLARE
    stored int;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    UPDATE tenant_secrets s
       SET ciphertext = r.ciphertext, nonce = r.nonce, key_version = p_version, updated_at = now()
      FROM unnest(p_keys, p_old_versions, p_old_nonces, p_ciphertexts, p_nonces)
           AS r(key_name, old_version, old_nonce, ciphertext, nonce)
     WHERE s.tenant = p_tenant AND s.key_name = r.key_name AND s.key_version = r.old_version
       AND s.nonce = r.old_nonce;
    GET DIAGNOSTICS stored = ROW_COUNT;
    RETURN stored;
END
$$;

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
