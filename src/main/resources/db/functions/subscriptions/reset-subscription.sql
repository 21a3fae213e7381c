-- Moves a subscription's checkpoint anywhere (back to replay, ahead to skip); its deliverer restarts there.
CREATE OR REPLACE FUNCTION temper_store_reset_subscription(p_tenant text, p_name text, p_tx bigint, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    UPDATE temper_store_subscriptions s
       SET checkpoint_tx = p_tx, checkpoint_id = p_id, version = pg_current_xact_id()::text::bigint,
           checkpointed_at = now()
     WHERE s.tenant = p_tenant AND s.name = p_name;
    RETURN FOUND;
END
$$;

