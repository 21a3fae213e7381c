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

