-- Truncates, deletes or tombstones one stream (docs/protocol.md, "Stream lifecycle"). Nothing is removed here:
-- the stream's row in temper_store_streams says from which sequence its events are served (hidden_below) and
-- whether it is gone for good (tombstoned); every read, the feed and every subscription apply it from this
-- transaction's commit on, and the sweeper removes the hidden rows later (sweep.sql).
--
-- Actions: 'truncate' hides the events below p_before (at most the stream's head + 1) and snapshots below it;
-- 'delete' hides every event and the snapshot, and a later append continues the numbering; 'tombstone' does as
-- delete and refuses every later append: a row at the highest bigint sequence makes every append's head check
-- fail (the store answers 410), so the append functions need no change and an older store refuses too.
--
-- Atomic with respect to appends of the stream: after locking its row here, the function takes the position
-- after the head with a row of its own (a concurrent append writing there makes it wait, and try the next one
-- once that append committed), so an append either committed before and is counted in, or writes after this
-- transaction: served after a truncate or delete, whose row is removed again before the commit (nobody sees
-- it); refused after a tombstone, whose row stays (hidden, as everything of the stream) so that an append
-- waiting on that position finds it taken.
--
-- Outcomes: 'done' (something newly hidden, or the tombstone set), 'unchanged' (an idempotent repeat),
-- 'conflict' (p_expected is not the head), 'beyond' (p_before past head + 1), 'tombstoned' (the stream is
-- tombstoned: nothing to truncate or delete). head is the stream's highest sequence, hidden_below the lowest
-- served one now, events and snapshots what this call newly hid.
CREATE OR REPLACE FUNCTION temper_store_change_stream(
    p_tenant text, p_type text, p_id text, p_action text, p_before bigint, p_expected bigint, p_actor text)
RETURNS TABLE (outcome text, head bigint, hidden_below bigint, events bigint, snapshots bigint)
LANGUAGE plpgsql
SET enable_sort = off
AS $$
#variable_conflict use_column
DECLARE
    tombstone_seq CONSTANT bigint := 9223372036854775807;
    was_hidden bigint;
    was_gone   boolean;
    head_now   bigint;
    new_hidden bigint;
    placed     bigint;
    tries      int := 0;
    n_events   bigint := 0;
    n_snaps    bigint := 0;
BEGIN
    IF p_action NOT IN ('truncate', 'delete', 'tombstone') THEN
        RAISE EXCEPTION 'unknown stream action %', p_action USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('app.current_tenant', p_tenant, true);
    INSERT INTO temper_store_streams (tenant, entity_type, entity_id) VALUES (p_tenant, p_type, p_id)
    ON CONFLICT (tenant, entity_type, entity_id) DO NOTHING;
    SELECT s.hidden_below, s.tombstoned INTO was_hidden, was_gone FROM temper_store_streams s
     WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id FOR UPDATE;

    -- The head, with appends in flight settled: hold the position after it until this transaction ends.
    LOOP
        head_now := coalesce((SELECT e.sequence_nr FROM events e
                               WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
                                 AND e.sequence_nr < tombstone_seq
                               ORDER BY e.sequence_nr DESC LIMIT 1), 0);
        EXIT WHEN was_gone;
        INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
        VALUES (p_tenant, p_type, p_id, head_now + 1, '$lifecycle', '{}', '{}')
        ON CONFLICT (tenant, entity_type, entity_id, sequence_nr) DO NOTHING;
        GET DIAGNOSTICS placed = ROW_COUNT;
        EXIT WHEN placed = 1;
        tries := tries + 1;
        IF tries >= 100 THEN
            RAISE EXCEPTION 'stream %/%/% kept moving under its % (100 appends in a row)', p_tenant, p_type, p_id,
                p_action USING ERRCODE = 'lock_not_available';
        END IF;
    END LOOP;
    outcome := NULL;
    IF was_gone THEN
        outcome := CASE WHEN p_action = 'tombstone' THEN 'unchanged' ELSE 'tombstoned' END;
    ELSIF p_expected IS NOT NULL AND p_expected <> head_now THEN
        outcome := 'conflict';
    ELSIF p_action = 'truncate' AND p_before > head_now + 1 THEN
        outcome := 'beyond';
    END IF;
    -- The held position is given back, except by a tombstone: an append waiting on it then finds it taken and
    -- reads the tombstone as the head (410), where it would otherwise write there after the tombstone committed.
    IF NOT was_gone AND (outcome IS NOT NULL OR p_action <> 'tombstone') THEN
        DELETE FROM events e
         WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
           AND e.sequence_nr = head_now + 1 AND e.xmin = pg_current_xact_id()::xid;
    END IF;
    IF outcome IS NOT NULL THEN
        head := head_now; hidden_below := was_hidden; events := 0; snapshots := 0;
        RETURN NEXT;
        RETURN;
    END IF;

    new_hidden := greatest(was_hidden, CASE WHEN p_action = 'truncate' THEN p_before ELSE head_now + 1 END);
    SELECT count(*) INTO n_events FROM events e
     WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
       AND e.sequence_nr >= was_hidden AND e.sequence_nr < new_hidden;
    DELETE FROM snapshots s
     WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id
       AND (p_action <> 'truncate' OR s.sequence_nr < new_hidden);
    GET DIAGNOSTICS n_snaps = ROW_COUNT;
    IF new_hidden = was_hidden AND p_action <> 'tombstone' AND n_snaps = 0 THEN
        outcome := 'unchanged';
    ELSE
        outcome := 'done';
        UPDATE temper_store_streams s
           SET hidden_below = new_hidden, tombstoned = (p_action = 'tombstone'), changed_at = now()
         WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id;
        IF p_action = 'tombstone' THEN
            INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
            VALUES (p_tenant, p_type, p_id, tombstone_seq, '$tombstone', '{}', '{}');
        END IF;
        IF n_events > 0 THEN
            INSERT INTO temper_store_sweep_queue (kind, tenant, entity_type, entity_id)
            VALUES ('stream', p_tenant, p_type, p_id)
            ON CONFLICT (kind, tenant, entity_type, entity_id) DO NOTHING;
        END IF;
        INSERT INTO temper_store_audit (tenant, action, entity_type, entity_id, actor, detail)
        VALUES (p_tenant, 'stream.' || p_action, p_type, p_id, p_actor,
                jsonb_build_object('head', head_now, 'hiddenBelow', new_hidden, 'events', n_events,
                                   'snapshots', n_snaps));
    END IF;
    head := head_now; hidden_below := new_hidden; events := n_events; snapshots := n_snaps;
    RETURN NEXT;
END
$$;
