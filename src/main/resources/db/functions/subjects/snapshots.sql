-- Snapshots whose state is a data subject's personal data (docs/protocol.md, "Personal data"): the state is stored
-- encrypted under the subject's key, and the subject beside it. One save function for every snapshot, marked or
-- not, so that a save replaces the subject too; the same compare-and-set as temper_store_save_snapshot (the same
-- state again is 'unchanged': the store encrypts a state to the same bytes at the same place).
CREATE OR REPLACE FUNCTION temper_store_save_snapshot_personal(
    p_tenant text, p_type text, p_id text, p_sequence bigint, p_state bytea, p_subject text)
RETURNS TABLE (outcome text, stored_sequence bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    stored_seq     bigint;
    stored_state   bytea;
    stored_subject text;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO snapshots AS s (tenant, entity_type, entity_id, sequence_nr, state, subject)
    VALUES (p_tenant, p_type, p_id, p_sequence, p_state, p_subject)
    ON CONFLICT (tenant, entity_type, entity_id) DO UPDATE
       SET sequence_nr = EXCLUDED.sequence_nr, state = EXCLUDED.state, subject = EXCLUDED.subject,
           created_at = now()
     WHERE s.sequence_nr < EXCLUDED.sequence_nr;
    IF FOUND THEN
        outcome := 'saved'; stored_sequence := p_sequence; RETURN NEXT;
        RETURN;
    END IF;
    SELECT s.sequence_nr, s.state, s.subject INTO stored_seq, stored_state, stored_subject FROM snapshots s
     WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id;
    stored_sequence := stored_seq;
    IF stored_seq = p_sequence AND stored_state = p_state
       AND coalesce(stored_subject, '') = coalesce(p_subject, '') THEN
        outcome := 'unchanged';
    ELSIF stored_seq = p_sequence THEN
        outcome := 'different';
    ELSE
        outcome := 'stale';
    END IF;
    RETURN NEXT;
END
$$;

-- temper_store_load_snapshot with the subject whose key opens the state (null: the state is stored as saved).
CREATE OR REPLACE FUNCTION temper_store_load_snapshot_personal(p_tenant text, p_type text, p_id text)
RETURNS TABLE (sequence_nr bigint, state bytea, subject text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    RETURN QUERY
        SELECT s.sequence_nr, s.state, s.subject FROM snapshots s
         WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id
           AND NOT EXISTS (SELECT 1 FROM temper_store_streams t
                            WHERE t.tenant = p_tenant AND t.entity_type = p_type AND t.entity_id = p_id
                              AND (t.tombstoned OR s.sequence_nr < t.hidden_below));
END
$$;

-- As subjects/guard.sql for events: no snapshot of a forgotten subject is saved, whatever a store has cached.
CREATE OR REPLACE FUNCTION temper_store_snapshot_subject_guard()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM temper_store_check_subject(NEW.tenant, NEW.subject);
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS temper_store_snapshot_subject_guard ON snapshots;
CREATE TRIGGER temper_store_snapshot_subject_guard BEFORE INSERT OR UPDATE ON snapshots
    FOR EACH ROW WHEN (NEW.subject IS NOT NULL) EXECUTE FUNCTION temper_store_snapshot_subject_guard();
