-- One append to one stream, when it goes to the database alone (light load): temper_store_append's semantics for
-- a batch of one, at about a bare INSERT's cost. The stream-head check and the insert are one statement, with
-- no arrays of appends to unnest and group; only a conflict, an idempotent retry or a race lost to a concurrent
-- writer takes the slower path. Output: 'ok' with the new highest sequence; 'duplicate' (the very same event ids
-- already hold those positions) with that same result; or 'conflict' with the stream's actual sequence (equal to
-- the expected one when the stream reached it only after the check: the caller may send the append again).
--
-- The head check and the INSERT are one statement, whose snapshot is taken before the INSERT gives the
-- transaction its id: a predecessor the check saw committed has an older transaction id than the events written
-- after it, so the feed serves the stream in sequence order (docs/feed.md). A transaction that has written
-- already has its id, and is refused.
CREATE OR REPLACE FUNCTION temper_store_append_one(
    p_tenant        text,
    p_type          text,
    p_id            text,
    p_expected      bigint,
    e_type          text[],
    e_payload       text[],
    e_metadata      text[],
    e_event_id      text[],
    OUT outcome     text,
    OUT sequence_nr bigint)
LANGUAGE plpgsql
-- As for temper_store_append (its 'append function plans' step): one generic plan per connection, through the
-- unique index whatever the statistics said when it was made.
SET enable_sort = off
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    n_events    int := cardinality(e_type);
    inserted    bigint;
    current_seq bigint;
    existing    text[];
BEGIN
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION 'temper_store_append_one must run before its transaction writes anything: a stream head it'
            ' checks after its transaction id was taken could hold a younger transaction, and the feed would serve'
            ' the stream out of sequence' USING ERRCODE = 'invalid_transaction_state';
    END IF;
    PERFORM set_config('app.current_tenant', p_tenant, true);

    -- Written only when the stream's head (the unique index walked backwards) is where the append expects it.
    -- A row a concurrent writer took meanwhile is skipped here and caught below. As in temper_store_append, the
    -- walk starts no lower than the expected sequence, so it checks two index entries, not a leaf page's worth.
    INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
    SELECT p_tenant, p_type, p_id, p_expected + ev.ord, ev.type, ev.payload::jsonb, ev.metadata::jsonb
      FROM unnest(e_type, e_payload, e_metadata) WITH ORDINALITY AS ev(type, payload, metadata, ord)
     WHERE p_expected = coalesce((SELECT e.sequence_nr FROM events e
                                   WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
                                     AND e.sequence_nr >= p_expected
                                   ORDER BY e.sequence_nr DESC LIMIT 1), 0)
    ON CONFLICT (tenant, entity_type, entity_id, sequence_nr) DO NOTHING;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    IF inserted = n_events THEN
        outcome := 'ok';
        sequence_nr := p_expected + n_events;
        RETURN;
    END IF;

    -- Not at the expected position, or some rows lost to a concurrent writer: take back what this call wrote
    -- (xmin is ours), so that an append is never partly written, then tell a retry from a conflict.
    IF inserted > 0 THEN
        DELETE FROM events e
         WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
           AND e.sequence_nr BETWEEN p_expected + 1 AND p_expected + n_events
           AND e.xmin = pg_current_xact_id()::xid;
    END IF;
    SELECT e.sequence_nr INTO current_seq FROM events e
     WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
     ORDER BY e.sequence_nr DESC LIMIT 1;
    SELECT array_agg(e.metadata ->> 'event_id' ORDER BY e.sequence_nr) INTO existing FROM events e
     WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id = p_id
       AND e.sequence_nr BETWEEN p_expected + 1 AND p_expected + n_events;
    IF existing = e_event_id THEN
        outcome := 'duplicate';
        sequence_nr := p_expected + n_events;
    ELSE
        outcome := 'conflict';
        sequence_nr := coalesce(current_seq, 0);
    END IF;
END
$$
