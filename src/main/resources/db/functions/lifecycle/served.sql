-- Whether an event is still served (docs/protocol.md, "Stream lifecycle"): its stream is not tombstoned, the event
-- is not below the stream's truncation or delete, and not past its entity type's retention policy (older than
-- max_age, or more than max_count below the stream's head). For the entity listing, once per entity. PostgreSQL
-- does not inline a function with subqueries, so a query that checks many rows (the feed) writes the same test
-- out in its own text rather than calling this per row.
CREATE OR REPLACE FUNCTION temper_store_served(
    p_tenant text, p_type text, p_id text, p_sequence bigint, p_created timestamptz)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
    SELECT NOT EXISTS (SELECT 1 FROM temper_store_streams s
                        WHERE s.tenant = p_tenant AND s.entity_type = p_type AND s.entity_id = p_id
                          AND (s.tombstoned OR p_sequence < s.hidden_below))
       AND NOT EXISTS (SELECT 1 FROM temper_store_retention r
                        WHERE r.tenant = p_tenant AND r.entity_type = p_type
                          AND (p_created <= now() - r.max_age
                               OR p_sequence <= (SELECT h.sequence_nr FROM events h
                                                  WHERE h.tenant = p_tenant AND h.entity_type = p_type
                                                    AND h.entity_id = p_id
                                                  ORDER BY h.sequence_nr DESC LIMIT 1) - r.max_count))
$$;
