#!/usr/bin/env bash
# What a feed page of 241 events costs PostgreSQL, column by column: a scratch database migrated by the jar
# (build it first: mvn -B package -DskipTests), 50,000 events of the bench's shape in 64 streams of tenant
# "bench", then pgbench (-M prepared, one client, 8 s each) running the page query from a random position with
# fewer or other columns, in the streamed form's transaction as the store sends it behind the feed's end, and in
# the function form (temper_store_read_feed) read at the feed's end. Prints each
# variant's mean latency; drops the database afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=${PGHOST:-127.0.0.1}
DB=scratch_feed_read_cost
export PGOPTIONS="-c client_min_messages=warning"
psql() { command psql -h "$HOST" -U postgres -X -q "$@"; }
psql -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap 'psql -c "DROP DATABASE IF EXISTS $DB"' EXIT
DATABASE_URL="postgres://postgres@$HOST:5432/$DB" java -jar target/temper-store.jar migrate >/dev/null 2>&1
psql -d "$DB" <<'SQL'
DO $$
BEGIN
  FOR i IN 0..49999 LOOP
    PERFORM temper_store_append_one('bench', 'Order', 'o-' || i % 64, i / 64, ARRAY['OrderLineAdded'],
      ARRAY['{"orderId":"ord-2026-11-000123","customer":{"id":"cust-4711","tier":"gold"},"line":{"sku":"SKU-88231-BLK-L","quantity":2,"unitPrice":1999,"currency":"EUR"},"tags":["web","promo-autumn"],"note":"leave at the front desk"}'],
      ARRAY['{"event_id":"' || gen_random_uuid() || '","causation_id":"6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b","correlation_id":"6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b","timestamp":"2026-12-02T05:51:43.016123Z","actor_id":"bench-client-07"}'],
      ARRAY[gen_random_uuid()::text]);
  END LOOP;
END $$;
VACUUM ANALYZE events;
SQL
TX=$(psql -d "$DB" -Atc "SELECT tx_id::text FROM events LIMIT 1")
WHERE="FROM events e WHERE e.tenant = 'bench' AND (coalesce(e.tx_id, '0'::xid8), e.id) > ('$TX'::xid8, :after::bigint)
  AND coalesce(e.tx_id, '0'::xid8) < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
  ORDER BY coalesce(e.tx_id, '0'::xid8), e.id LIMIT 241"
POS="coalesce(e.tx_id, '0'::xid8)::text::bigint AS tx, e.id"
PLAIN="e.entity_type, e.entity_id, e.sequence_nr, e.event_type"
META="metadata ->> 'event_id', metadata ->> 'causation_id', metadata ->> 'correlation_id',
  metadata ->> 'timestamp', metadata ->> 'actor_id'"
run() { # run LABEL SQL
  printf '%s\n' '\set after random(1, 40000)' "$2" >"$WORK/q.sql"
  printf '%-46s %s\n' "$1" "$(pgbench -h "$HOST" -U postgres -n -M prepared -f "$WORK/q.sql" -T 8 -c 1 "$DB" 2>/dev/null \
    | sed -n 's/^latency average = //p')"
}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"; psql -c "DROP DATABASE IF EXISTS $DB"' EXIT
run "the page, as the store reads it" "SELECT $POS, $PLAIN, e.payload::text, $META $WHERE;"
run "without the xid8 cast of the position" "SELECT e.id, $PLAIN, e.payload::text, $META $WHERE;"
run "metadata as one text column" "SELECT $POS, $PLAIN, e.payload::text, e.metadata::text $WHERE;"
run "metadata by jsonb_to_record" "SELECT $POS, $PLAIN, e.payload::text, m.* FROM events e,
  jsonb_to_record(e.metadata) AS m(event_id text, causation_id text, correlation_id text, \"timestamp\" text,
  actor_id text) ${WHERE#FROM events e}"
run "without metadata" "SELECT $POS, $PLAIN, e.payload::text $WHERE;"
run "without payload and metadata" "SELECT $POS, $PLAIN $WHERE;"
run "ids only" "SELECT e.id $WHERE;"
run "the streamed form (behind the feed's end)" "BEGIN;
SELECT set_config('app.current_tenant', 'bench', true), set_config('enable_sort', 'off', true);
SELECT $POS, $PLAIN, e.payload::text, $META $WHERE;
COMMIT;"
run "the function form (at the feed's end)" "SELECT tx, id, entity_type, entity_id, sequence_nr, event_type,
  payload::text, $META FROM temper_store_read_feed('bench', $TX, :after, NULL, NULL, 241);"
