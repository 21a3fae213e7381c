-- One round of the sweeper: removes up to about p_limit rows that are no longer served, in one short
-- transaction (docs/security.md, "What deleting removes"). Every store instance calls it on a timer; a
-- transaction-level advisory lock makes one of them, among every process on the database, sweep at a time (the
-- others return at once with swept = false).
--
-- Its work is temper_store_sweep_queue: streams with hidden rows (queued by temper_store_change_stream and by the
-- retention step below) and retention policies (queued by temper_store_set_retention). The queue names streams
-- of every tenant, so it is not tenant-isolated; everything else here runs with the work's tenant set, as the
-- caller, under row-level security.
--   1. Retention: the policies least recently visited, 200 streams in all per round, each policy's streams after a
--      cursor kept in the queue: the events past the policy become the stream's hidden_below (so loosening the
--      policy later cannot bring back what was swept), and the stream is queued.
--   2. Streams: the rows below hidden_below (every row but the tombstone's, when tombstoned) are deleted, with
--      the snapshot they make stale. The stream's highest row is kept, its payload, metadata and type cleared:
--      appends find the stream's head there, so the numbering goes on after a delete. A stream is done, leaves
--      the queue and is marked swept (swept_below), once a round removes fewer rows than it was allowed: from
--      then on the feed needs no probe of it, the rows left being recognisable by their own '$' event type.
-- Returns what the round removed, how many streams it found with events newly past a policy, and the streams
-- still queued. The caller sweeps again at once after a round that removed a whole batch or found such streams.
CREATE OR REPLACE FUNCTION temper_store_sweep(p_limit int)
RETURNS TABLE (swept boolean, events_removed bigint, snapshots_removed bigint, streams_expired bigint,
               streams_queued bigint)
LANGUAGE plpgsql
SET enable_sort = off
AS $$
#variable_conflict use_column
DECLARE
    tombstone_seq CONSTANT bigint := 9223372036854775807;
    budget      bigint := p_limit;
    work        record;
    policy      record;
    stream_id   text;
    visits      int := 0;     -- streams the retention step examined this round, at most 200
    expired     bigint := 0;  -- of which had events newly past their policy
    young       bigint;
    past_scan   bigint;
    hidden      bigint;
    swept_to    bigint;
    gone        boolean;
    head_seq    bigint;
    first_kept  bigint;
    n           bigint;
    removed     bigint := 0;
    snaps       bigint := 0;
BEGIN
    -- The key is the sweeper's own ('temper_store_sweep' as a number); the migration and the deliverers use others.
    IF NOT pg_try_advisory_xact_lock(7315029911) THEN
        swept := false; events_removed := 0; snapshots_removed := 0; streams_expired := 0;
        streams_queued := (SELECT count(*) FROM temper_store_sweep_queue q WHERE q.kind = 'stream');
        RETURN NEXT;
        RETURN;
    END IF;

    FOR work IN SELECT q.tenant, q.entity_type, q.cursor_id FROM temper_store_sweep_queue q
                 WHERE q.kind = 'retention' ORDER BY q.swept_at LIMIT 100 LOOP
        EXIT WHEN visits >= 200;
        PERFORM set_config('app.current_tenant', work.tenant, true);
        SELECT r.max_age, r.max_count INTO policy FROM temper_store_retention r
         WHERE r.tenant = work.tenant AND r.entity_type = work.entity_type;
        IF NOT FOUND THEN
            DELETE FROM temper_store_sweep_queue q
             WHERE q.kind = 'retention' AND q.tenant = work.tenant AND q.entity_type = work.entity_type;
            CONTINUE;
        END IF;
        stream_id := work.cursor_id;
        WHILE visits < 200 LOOP
            SELECT e.entity_id INTO stream_id FROM events e
             WHERE e.tenant = work.tenant AND e.entity_type = work.entity_type AND e.entity_id > stream_id
             ORDER BY e.entity_id LIMIT 1;
            IF NOT FOUND THEN
                stream_id := '';  -- the end of the type: start over when its turn comes again
                EXIT;
            END IF;
            visits := visits + 1;
            SELECT coalesce(max(s.hidden_below), 0), coalesce(bool_or(s.tombstoned), false) INTO hidden, gone
              FROM temper_store_streams s
             WHERE s.tenant = work.tenant AND s.entity_type = work.entity_type AND s.entity_id = stream_id;
            CONTINUE WHEN gone;
            first_kept := hidden;
            IF policy.max_count IS NOT NULL THEN
                head_seq := (SELECT e.sequence_nr FROM events e
                              WHERE e.tenant = work.tenant AND e.entity_type = work.entity_type
                                AND e.entity_id = stream_id ORDER BY e.sequence_nr DESC LIMIT 1);
                first_kept := greatest(first_kept, head_seq - policy.max_count + 1);
            END IF;
            IF policy.max_age IS NOT NULL THEN
                -- The first event still young enough among the next 1,000 served; past all of them, the one after
                -- (a longer run of expired events is taken a thousand at a time).
                SELECT min(x.sequence_nr) FILTER (WHERE x.created_at > now() - policy.max_age),
                       max(x.sequence_nr) + 1
                  INTO young, past_scan
                  FROM (SELECT e.sequence_nr, e.created_at FROM events e
                         WHERE e.tenant = work.tenant AND e.entity_type = work.entity_type
                           AND e.entity_id = stream_id AND e.sequence_nr >= hidden
                         ORDER BY e.sequence_nr LIMIT 1000) x;
                first_kept := greatest(first_kept, coalesce(young, past_scan, hidden));
            END IF;
            CONTINUE WHEN first_kept <= hidden;
            INSERT INTO temper_store_streams AS s (tenant, entity_type, entity_id, hidden_below)
            VALUES (work.tenant, work.entity_type, stream_id, first_kept)
            ON CONFLICT (tenant, entity_type, entity_id) DO UPDATE
               SET hidden_below = greatest(s.hidden_below, EXCLUDED.hidden_below), changed_at = now();
            INSERT INTO temper_store_sweep_queue (kind, tenant, entity_type, entity_id)
            VALUES ('stream', work.tenant, work.entity_type, stream_id)
            ON CONFLICT (kind, tenant, entity_type, entity_id) DO NOTHING;
            expired := expired + 1;
        END LOOP;
        UPDATE temper_store_sweep_queue q SET cursor_id = stream_id, swept_at = now()
         WHERE q.kind = 'retention' AND q.tenant = work.tenant AND q.entity_type = work.entity_type;
    END LOOP;

    FOR work IN SELECT q.tenant, q.entity_type, q.entity_id FROM temper_store_sweep_queue q
                 WHERE q.kind = 'stream' ORDER BY q.swept_at LIMIT 100 LOOP
        EXIT WHEN budget <= 0;
        PERFORM set_config('app.current_tenant', work.tenant, true);
        -- Locked against a change of the stream until this round commits: what it sweeps to is what it records.
        SELECT s.hidden_below, s.tombstoned INTO hidden, gone FROM temper_store_streams s
         WHERE s.tenant = work.tenant AND s.entity_type = work.entity_type AND s.entity_id = work.entity_id
           FOR SHARE;
        swept_to := hidden;
        IF gone THEN
            hidden := tombstone_seq;
        END IF;
        head_seq := (SELECT e.sequence_nr FROM events e
                      WHERE e.tenant = work.tenant AND e.entity_type = work.entity_type
                        AND e.entity_id = work.entity_id AND e.sequence_nr < tombstone_seq
                      ORDER BY e.sequence_nr DESC LIMIT 1);
        DELETE FROM events e
         WHERE e.ctid = ANY (ARRAY(
                 SELECT h.ctid FROM events h
                  WHERE h.tenant = work.tenant AND h.entity_type = work.entity_type
                    AND h.entity_id = work.entity_id AND h.sequence_nr < coalesce(hidden, 0)
                    AND (gone OR h.sequence_nr <> head_seq)
                  ORDER BY h.sequence_nr LIMIT budget));
        GET DIAGNOSTICS n = ROW_COUNT;
        removed := removed + n;
        budget := budget - n;
        IF NOT gone AND head_seq < hidden THEN
            UPDATE events e SET event_type = '$deleted', payload = '{}', metadata = '{}'
             WHERE e.tenant = work.tenant AND e.entity_type = work.entity_type AND e.entity_id = work.entity_id
               AND e.sequence_nr = head_seq AND e.event_type <> '$deleted';
        END IF;
        DELETE FROM snapshots s
         WHERE s.tenant = work.tenant AND s.entity_type = work.entity_type AND s.entity_id = work.entity_id
           AND (gone OR s.sequence_nr < hidden);
        GET DIAGNOSTICS n = ROW_COUNT;
        snaps := snaps + n;
        IF budget > 0 THEN
            UPDATE temper_store_streams s SET swept_below = swept_to
             WHERE s.tenant = work.tenant AND s.entity_type = work.entity_type AND s.entity_id = work.entity_id;
            DELETE FROM temper_store_sweep_queue q
             WHERE q.kind = 'stream' AND q.tenant = work.tenant AND q.entity_type = work.entity_type
               AND q.entity_id = work.entity_id;
        ELSE
            UPDATE temper_store_sweep_queue q SET swept_at = now()
             WHERE q.kind = 'stream' AND q.tenant = work.tenant AND q.entity_type = work.entity_type
               AND q.entity_id = work.entity_id;
        END IF;
    END LOOP;

    swept := true; events_removed := removed; snapshots_removed := snaps; streams_expired := expired;
    streams_queued := (SELECT count(*) FROM temper_store_sweep_queue q WHERE q.kind = 'stream');
    RETURN NEXT;
END
$$;
