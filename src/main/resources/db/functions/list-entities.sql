-- A page of a tenant's entities ordered by (entity_type, entity_id), found by a loose index scan: one probe of
-- idx_events_tenant_entity per entity, however many events each has (SELECT DISTINCT would read them all).
-- An entity whose stream serves no event (deleted, tombstoned, truncated past its head, or every event past a
-- retention policy: its head is not served) is passed over; each one passed costs a probe, within the call.
CREATE OR REPLACE FUNCTION temper_store_list_entities(
    p_tenant text, p_type text, p_after_type text, p_after_id text, p_limit int)
RETURNS TABLE (entity_type text, entity_id text)
LANGUAGE plpgsql
SET enable_sort = off
AS $$
#variable_conflict use_column
DECLARE
    cursor_type text := coalesce(p_after_type, '');
    cursor_id   text := coalesce(p_after_id, '');
    found_type  text;
    found_id    text;
    head_seq    bigint;
    head_at     timestamptz;
    listed      int := 0;
BEGIN
    PERFORM set_config('app.current_tenant', p_tenant, true);
    IF p_type IS NOT NULL AND cursor_type <> p_type THEN
        -- A cursor of another type: start at the beginning of p_type, or nowhere if the cursor is past it.
        IF cursor_type > p_type THEN
            RETURN;
        END IF;
        cursor_id := '';
    END IF;
    WHILE listed < p_limit LOOP
        IF p_type IS NULL THEN
            SELECT e.entity_type, e.entity_id INTO found_type, found_id FROM events e
             WHERE e.tenant = p_tenant AND (e.entity_type, e.entity_id) > (cursor_type, cursor_id)
             ORDER BY e.entity_type, e.entity_id LIMIT 1;
        ELSE
            SELECT e.entity_type, e.entity_id INTO found_type, found_id FROM events e
             WHERE e.tenant = p_tenant AND e.entity_type = p_type AND e.entity_id > cursor_id
             ORDER BY e.entity_id LIMIT 1;
        END IF;
        EXIT WHEN NOT FOUND;
        cursor_type := found_type; cursor_id := found_id;
        SELECT e.sequence_nr, e.created_at INTO head_seq, head_at FROM events e
         WHERE e.tenant = p_tenant AND e.entity_type = found_type AND e.entity_id = found_id
         ORDER BY e.sequence_nr DESC LIMIT 1;
        CONTINUE WHEN NOT temper_store_served(p_tenant, found_type, found_id, head_seq, head_at);
        entity_type := found_type; entity_id := found_id; RETURN NEXT;
        listed := listed + 1;
    END LOOP;
END
$$
