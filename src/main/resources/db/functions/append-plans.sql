-- How temper_store_append's statements are planned. With array arguments the planner judged its cached generic
-- plans dearer than fresh custom ones and re-planned every statement on every call: a tenth of a millisecond, a
-- third of a one-event append's time in PostgreSQL (pgbench -M prepared -c 1, synchronous_commit off: 0.33 ms
-- against 0.23 ms with generic plans). A generic plan is kept for the connection's life, so it must stay right
-- as the table grows from empty: with sequential scans off (and sorts, set by the function), every plan that
-- touches events goes through the unique index, whatever the statistics said when it was made.
ALTER FUNCTION temper_store_append(int[], text[], text[], text[], bigint[], int[], int[], bigint[],
                                   text[], text[], text[], text[])
    SET plan_cache_mode = force_generic_plan
    SET enable_seqscan = off
