-- Every tenant's subscriptions, for the deliverers to claim. Row-level security would show a role only the
-- tenant it has set, so this one function runs as the tables' owner (SECURITY DEFINER) and returns definitions
-- only: it takes no tenant and changes nothing.
CREATE OR REPLACE FUNCTION temper_store_subscriptions_to_deliver(p_limit int)
RETURNS TABLE (tenant text, name text, address text, entity_types text[], event_types text[],
               checkpoint_tx bigint, checkpoint_id bigint, version bigint)
LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT s.tenant, s.name, s.address, s.entity_types, s.event_types, s.checkpoint_tx, s.checkpoint_id, s.version
      FROM temper_store_subscriptions s
     ORDER BY s.tenant, s.name
     LIMIT p_limit
$$
