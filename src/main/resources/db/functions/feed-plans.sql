-- How the feed functions' page query is planned. On a young or fast-growing table whose statistics still say
-- "few rows", the planner read every row after the position through a bitmap scan and sorted them for the first
-- page: with a subscription behind a busy store by 77,000 events, a page of 1,025 took 65 ms instead of under 1 ms,
-- and the deliverer's reads took a core. Without sorts, only the feed index's own order serves, and a page reads
-- only its own rows however far the feed goes on.
ALTER FUNCTION temper_store_read_feed(text, bigint, bigint, text[], text[], int) SET enable_sort = off;
ALTER FUNCTION temper_store_read_feed_all_tenants(bigint, bigint, text[], text[], int) SET enable_sort = off
