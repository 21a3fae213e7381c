-- Whether the feed's order can be trusted on this cluster. Transaction ids start over in another PostgreSQL
-- cluster: after a logical restore (pg_dump into a new cluster) the restored rows keep transaction ids that this
-- cluster may not reach for a long time, so new events would sort below them and a reader past them would never
-- see the new ones. Returns the newest row's transaction and the next one this cluster assigns; the store refuses
-- to start when the first is not below the second. Runs as the tables' owner (SECURITY DEFINER), who sees every
-- tenant's rows unless row-level security is forced on the owner, in which case there is nothing to compare.
CREATE OR REPLACE FUNCTION temper_store_feed_guard()
RETURNS TABLE (newest_tx bigint, next_tx bigint)
LANGUAGE sql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT (SELECT e.tx_id::text::bigint FROM events e WHERE e.tx_id IS NOT NULL ORDER BY e.id DESC LIMIT 1),
           pg_snapshot_xmax(pg_current_snapshot())::text::bigint
$$
