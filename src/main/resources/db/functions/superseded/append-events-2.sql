-- Appends many streams' events in one statement and one commit (group commit), each append atomic on its own.
--
-- Input: one element per append (group, tenant, entity type, entity id, expected sequence, event count) and one
-- per event (index of its append, its sequence number, type, payload, metadata, event id). A stream appears at
-- most once per call. Appends of one group (an appendBatch request) are all-or-nothing. Output, one row per
-- append: 'ok' with the new highest sequence; 'duplicate' (the very same event ids already hold those
-- positions: an idempotent retry) with that same result; 'conflict' with the stream's actual sequence; or
-- 'skipped' (another append of its group conflicted, so this one was taken back).
--
-- The common case is set-based, two statements per tenant whatever the batch size: find the appends whose
-- stream is at the expected sequence, insert all their events at once. The unique (tenant, entity_type,
-- entity_id, sequence_nr) constraint guards against writers that commit meanwhile: an append that lost some
-- rows to one is taken back (the rows this transaction wrote: xmin is ours), so an append is never partly
-- written. Needs PostgreSQL 13 or later (pg_current_xact_id). Each tenant's statements run with
-- app.current_tenant set to it for row-level security, and every predicate names the tenant too.
CREATE OR REPLACE FUNCTION temper_store_append(
    p_group     int[],
    p_tenant    text[],
    p_type      text[],
    p_id        text[],
    p_expected  bigint[],
    p_count     int[],
    e_append    int[],
    e_sequence  bigint[],
    e_type      text[],
    e_payload   text[],
    e_metadata  text[],
    e_event_id  text[])
RETURNS TABLE (append_index int, outcome text, sequence_nr bigint)
LANGUAGE plpgsql
-- On a young table whose statistics still say "empty" (CREATE INDEX set them), the planner would find a
-- stream's head through idx_events_tenant_entity plus a sort, reading the whole stream; without sorts, only the
-- unique index's order serves, and the lookup reads one entry however long the stream. The other two settings
-- are the 'append function plans' step's, which a CREATE OR REPLACE would otherwise drop.
SET enable_sort = off
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
    n_appends    int := coalesce(array_length(p_group, 1), 0);
    outcomes     text[] := array_fill(NULL::text, ARRAY[n_appends]);
    sequences    bigint[] := array_fill(NULL::bigint, ARRAY[n_appends]);
    tenant_now   text;
    tenant_count int;
    ok_appends   int[];
    ok_events    bigint;
    inserted     bigint;
    i            int;
    ours         bigint;
    current_seq  bigint;
    existing     text[];
    failed       int[];
BEGIN
    FOR tenant_now, tenant_count IN SELECT t, count(*) FROM unnest(p_tenant) AS t GROUP BY t LOOP
        PERFORM set_config('app.current_tenant', tenant_now, true);

        -- Appends whose stream is where they expect it: its highest sequence, walking the unique index backwards.
        -- Only entries from the expected sequence up are looked at: a B-tree scan checks every entry of its leaf
        -- page that may match, and without the bound that was the whole page of a long stream (at 64 clients the
        -- key checks alone were an eighth of PostgreSQL's time). A head below the expected sequence finds nothing, which compares
        -- unequal just as the head itself would (the slow path below then reads the head).
        SELECT coalesce(array_agg(a.idx), '{}'), coalesce(sum(a.cnt), 0) INTO ok_appends, ok_events
          FROM unnest(p_tenant, p_type, p_id, p_expected, p_count)
               WITH ORDINALITY AS a(tenant, entity_type, entity_id, expected, cnt, idx)
         WHERE a.tenant = tenant_now
           AND a.expected = coalesce((SELECT e.sequence_nr FROM events e
                                       WHERE e.tenant = tenant_now AND e.entity_type = a.entity_type
                                         AND e.entity_id = a.entity_id
                                         AND e.sequence_nr >= a.expected
                                       ORDER BY e.sequence_nr DESC LIMIT 1), 0);

        -- All their events in one INSERT; a row a concurrent writer took is skipped here and caught below.
        INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
        SELECT tenant_now, p_type[ev.append_idx], p_id[ev.append_idx], ev.seq, ev.type, ev.payload::jsonb,
               ev.metadata::jsonb
          FROM unnest(e_append, e_sequence, e_type, e_payload, e_metadata)
               AS ev(append_idx, seq, type, payload, metadata)
         WHERE ev.append_idx = ANY (ok_appends)
        ON CONFLICT (tenant, entity_type, entity_id, sequence_nr) DO NOTHING;
        GET DIAGNOSTICS inserted = ROW_COUNT;

        FOREACH i IN ARRAY ok_appends LOOP
            outcomes[i] := 'ok';
            sequences[i] := p_expected[i] + p_count[i];
        END LOOP;
        IF inserted = ok_events AND cardinality(ok_appends) = tenant_count THEN
            CONTINUE; -- the common case: every append of this tenant went in whole
        END IF;

        -- The rare path, one append at a time: not at the expected position, or lost rows to a concurrent writer.
        FOR i IN SELECT a.idx FROM unnest(p_tenant) WITH ORDINALITY AS a(tenant, idx) WHERE a.tenant = tenant_now LOOP
            IF outcomes[i] = 'ok' THEN
                SELECT count(*) INTO ours FROM events e
                 WHERE e.tenant = tenant_now AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
                   AND e.sequence_nr BETWEEN p_expected[i] + 1 AND p_expected[i] + p_count[i]
                   AND e.xmin = pg_current_xact_id()::xid;
                CONTINUE WHEN ours = p_count[i];
                DELETE FROM events e
                 WHERE e.tenant = tenant_now AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
                   AND e.sequence_nr BETWEEN p_expected[i] + 1 AND p_expected[i] + p_count[i]
                   AND e.xmin = pg_current_xact_id()::xid;
            END IF;
            SELECT e.sequence_nr INTO current_seq FROM events e
             WHERE e.tenant = tenant_now AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
             ORDER BY e.sequence_nr DESC LIMIT 1;
            SELECT array_agg(e.metadata ->> 'event_id' ORDER BY e.sequence_nr) INTO existing FROM events e
             WHERE e.tenant = tenant_now AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
               AND e.sequence_nr BETWEEN p_expected[i] + 1 AND p_expected[i] + p_count[i];
            IF existing = ARRAY(SELECT ev.event_id FROM unnest(e_append, e_sequence, e_event_id)
                                    AS ev(append_idx, seq, event_id)
                                 WHERE ev.append_idx = i ORDER BY ev.seq) THEN
                outcomes[i] := 'duplicate';
                sequences[i] := p_expected[i] + p_count[i];
            ELSE
                outcomes[i] := 'conflict';
                sequences[i] := coalesce(current_seq, 0);
            END IF;
        END LOOP;
    END LOOP;

    -- A group with a conflict is taken back whole: the rows this transaction wrote for its other appends.
    SELECT coalesce(array_agg(DISTINCT g.grp), '{}') INTO failed
      FROM unnest(p_group, outcomes) AS g(grp, outcome) WHERE g.outcome = 'conflict';
    IF cardinality(failed) > 0 THEN
        FOR i IN SELECT g.idx FROM unnest(p_group, outcomes) WITH ORDINALITY AS g(grp, outcome, idx)
                  WHERE g.grp = ANY (failed) AND g.outcome = 'ok' LOOP
            PERFORM set_config('app.current_tenant', p_tenant[i], true);
            DELETE FROM events e
             WHERE e.tenant = p_tenant[i] AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
               AND e.sequence_nr BETWEEN p_expected[i] + 1 AND p_expected[i] + p_count[i]
               AND e.xmin = pg_current_xact_id()::xid;
            outcomes[i] := 'skipped';
        END LOOP;
    END IF;

    RETURN QUERY SELECT r.idx::int, r.outcome, r.seq
                   FROM unnest(outcomes, sequences) WITH ORDINALITY AS r(outcome, seq, idx)
                  ORDER BY r.idx;
END
$$
