-- Creates or replaces one secret of a tenant, keeping the tenant within its budget: puts of one tenant take a
-- transaction-scoped advisory lock on it, so the count cannot be raced past p_max by concurrent puts; replacing
-- an existing secret is always allowed. Outcomes: 'created', 'replaced', 'over_budget'.
CREATE OR REPLACE FUNCTION temper_store_put_secret(
    p_tenant text, p_key text, p_ciphertext bytea, p_nonce bytea, p_version int, p_max int)
RETURNS text
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    PERFORM pg_advisory_xact_lock(hashtextextended('temper_store.secrets:' || p_tenant, 0));
    UPDATE tenant_secrets s
       SET ciphertext = p_ciphertext, nonce = p_nonce, key_version = p_version, updated_at = now()
     WHERE s.tenant = p_tenant AND s.key_name = p_key;
    IF FOUND THEN
        RETURN 'replaced';
    END IF;
    IF (SELECT count(*) FROM tenant_secrets s WHERE s.tenant = p_tenant) >= p_max THEN
        RETURN 'over_budget';
    END IF;
    INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce, key_version)
    VALUES (p_tenant, p_key, p_ciphertext, p_nonce, p_version);
    RETURN 'created';
END
$$
