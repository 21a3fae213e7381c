-- A deliverer's checkpoint: saved only under the version it started from, and only forwards. False when the
-- subscription was reset or deleted meanwhile: the deliverer then stops and starts again from what is stored.
CREATE OR REPLACE FUNCTION temper_store_save_checkpoint(
    p_tenant text, p_name text, p_version bigint, p_tx bigint, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    UPDATE temper_store_subscriptions s
       SET checkpoint_tx = p_tx, checkpoint_id = p_id, checkpointed_at = now()
     WHERE s.tenant = p_tenant AND s.name = p_name AND s.version = p_version
       AND (s.checkpoint_tx, s.checkpoint_id) <= (p_tx, p_id);
    RETURN FOUND;
END
$$;

