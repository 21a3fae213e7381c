-- A monotonic compare-and-set of an entity's snapshot: a newer sequence replaces the stored one; otherwise the
-- stored row (locked by ON CONFLICT) says whether this is an idempotent repeat, a stale write or a clash.
-- Outcomes: 'saved', 'unchanged' (same sequence, same bytes), 'stale' (stored sequence is higher),
-- 'different' (same sequence, other bytes); stored_sequence is the sequence now stored.
CREATE OR REPLACE FUNCTION temper_store_save_snapshot(
    p_tenant text, p_type text, p_id text, p_sequence bigint, p_state bytea)
RETURNS TABLE (outcome text, stored_sequence bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    stored_seq   bigint;
    stored_state bytea;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO snapshots AS s (tenant, entity_type, entity_id, sequence_nr, state)
    VALUES (p_tenant, p_type, p_id, p_sequence, p_state)
    ON CONFLICT (tenant, entity_type, entity_id) DO UPDATE
       SET sequence_nr = EXCLUDED.sequence_nr, state = EXCLUDED.state, created_at = now()
     WHERE s.sequence_nr < EXCLUDED.sequence_nr;
    IF FOUND THEN
        outcome := 'saved'; stored_sequence := p_sequence; RETURN NEXT;
        RETURN;
    END IF;
    SELECT s.sequence_nr, s.state INTO stored_seq, stored_state FROM snapshots s
     WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id;
    stored_sequence := stored_seq;
    IF stored_seq = p_sequence AND stored_state = p_state THEN
        outcome := 'unchanged';
    ELSIF stored_seq = p_sequence THEN
        outcome := 'different';
    ELSE
        outcome := 'stale';
    END IF;
    RETURN NEXT;
END
$$
