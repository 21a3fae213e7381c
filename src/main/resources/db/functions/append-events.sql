-- Appends many streams' events in one statement and one commit (group commit), each append atomic on its own.
--
-- Input: one array element per append (group, tenant, entity type, entity id, expected sequence, event count),
-- and the events of all appends flattened in the same order. Appends of one group (an appendBatch request) are
-- contiguous and all-or-nothing. Output: one row per append: 'ok' with the new highest sequence, 'duplicate'
-- (the very same event ids are already at those positions: an idempotent retry) with that same result,
-- 'conflict' with the stream's actual sequence, or 'skipped' (another append of its group conflicted).
--
-- Concurrency is guarded by the unique (tenant, entity_type, entity_id, sequence_nr) constraint: a racing writer
-- that commits first makes our rows conflict; ours that did get in are then removed again, inside this
-- transaction, so an append is never partly written. Each append sets app.current_tenant for row-level
-- security and also names its tenant in every predicate.
CREATE OR REPLACE FUNCTION temper_store_append(
    p_group     int[],
    p_tenant    text[],
    p_type      text[],
    p_id        text[],
    p_expected  bigint[],
    p_count     int[],
    e_type      text[],
    e_payload   text[],
    e_metadata  text[],
    e_event_id  text[])
RETURNS TABLE (append_index int, outcome text, sequence_nr bigint)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    i             int;
    first_event   int := 1;
    n             int;
    current_seq   bigint;
    inserted_ids  bigint[];
    group_ids     bigint[] := '{}';
    current_group int := NULL;
    failed_group  int := NULL;
    existing_ids  text[];
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_group, 1), 0) LOOP
        n := p_count[i];
        IF current_group IS DISTINCT FROM p_group[i] THEN
            current_group := p_group[i];
            group_ids := '{}';
        END IF;
        append_index := i;

        IF p_group[i] = failed_group THEN
            outcome := 'skipped'; sequence_nr := NULL; RETURN NEXT;
            first_event := first_event + n;
            CONTINUE;
        END IF;

        PERFORM set_config('app.current_tenant', p_tenant[i], true);
        -- Walk the unique index backwards: cheap however long the stream is.
        SELECT e.sequence_nr INTO current_seq FROM events e
         WHERE e.tenant = p_tenant[i] AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
         ORDER BY e.sequence_nr DESC LIMIT 1;
        current_seq := coalesce(current_seq, 0);

        inserted_ids := '{}';
        IF current_seq = p_expected[i] THEN
            WITH written AS (
                INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
                SELECT p_tenant[i], p_type[i], p_id[i], p_expected[i] + k,
                       e_type[first_event + k - 1], e_payload[first_event + k - 1]::jsonb,
                       e_metadata[first_event + k - 1]::jsonb
                  FROM generate_series(1, n) AS k
                ON CONFLICT (tenant, entity_type, entity_id, sequence_nr) DO NOTHING
                RETURNING id)
            SELECT coalesce(array_agg(id), '{}') INTO inserted_ids FROM written;
            IF cardinality(inserted_ids) = n THEN
                group_ids := group_ids || inserted_ids;
                outcome := 'ok'; sequence_nr := p_expected[i] + n; RETURN NEXT;
                first_event := first_event + n;
                CONTINUE;
            END IF;
            -- A writer committed meanwhile: take back what did get in, then see where the stream is.
            DELETE FROM events e WHERE e.tenant = p_tenant[i] AND e.id = ANY (inserted_ids);
            SELECT e.sequence_nr INTO current_seq FROM events e
             WHERE e.tenant = p_tenant[i] AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
             ORDER BY e.sequence_nr DESC LIMIT 1;
        END IF;

        -- Not at the expected position: either this very append is already there (a retry), or a conflict.
        SELECT array_agg(e.metadata ->> 'event_id' ORDER BY e.sequence_nr) INTO existing_ids FROM events e
         WHERE e.tenant = p_tenant[i] AND e.entity_type = p_type[i] AND e.entity_id = p_id[i]
           AND e.sequence_nr BETWEEN p_expected[i] + 1 AND p_expected[i] + n;
        IF existing_ids = e_event_id[first_event : first_event + n - 1] THEN
            outcome := 'duplicate'; sequence_nr := p_expected[i] + n; RETURN NEXT;
        ELSE
            outcome := 'conflict'; sequence_nr := current_seq; RETURN NEXT;
            failed_group := p_group[i];
            IF cardinality(group_ids) > 0 THEN
                DELETE FROM events e WHERE e.id = ANY (group_ids);
            END IF;
        END IF;
        first_event := first_event + n;
    END LOOP;
END
$$
