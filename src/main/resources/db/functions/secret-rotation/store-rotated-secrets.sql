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

