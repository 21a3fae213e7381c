-- A deliverer's checkpoint, as in subscriptions.sql, committed without waiting for the WAL flush: a checkpoint
-- lost in a PostgreSQL crash only moves the subscription back to an earlier one, whose events are delivered again
-- (delivery is at least once), while a flush per save cost the appends of a busy store (docs/benchmarks.md).
-- The setting lasts until this call's transaction ends; any later synchronous commit flushes it as well.
CREATE OR REPLACE FUNCTION temper_store_save_checkpoint(
    p_tenant text, p_name text, p_version bigint, p_tx bigint, p_id bigint)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    PERFORM set_config('synchronous_commit', 'off', true);
    UPDATE temper_store_subscriptions s
       SET checkpoint_tx = p_tx, checkpoint_id = p_id, checkpointed_at = now()
     WHERE s.tenant = p_tenant AND s.name = p_name AND s.version = p_version
       AND (s.checkpoint_tx, s.checkpoint_id) <= (p_tx, p_id);
    RETURN FOUND;
END
$$;
