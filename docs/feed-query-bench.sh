#!/usr/bin/env bash
# What a feed page costs in PostgreSQL alone: pgbench (one client, prepared) reading pages of 1,000 events through
# the store's feed query, as the store sends it, beside the same rows by id range, alternating, on one scratch
# database of EVENTS events with the store's schema (the payload and metadata of BenchPayloads' shape). Needs the
# fat jar (mvn -B package -DskipTests), psql and pgbench, and a PostgreSQL whose ADMIN_URL role may create
# databases; the database is dropped at the end.
#   docs/feed-query-bench.sh                  # 200,000 events, 2 rounds of 8 s per query
#   ROUNDS=3 SECONDS_EACH=15 docs/feed-query-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-200000}
ROUNDS=${ROUNDS:-2}
SECONDS_EACH=${SECONDS_EACH:-8}
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
. docs/scratch-database.sh
scratch_database feedquerybench
for ((written = 0; written < EVENTS; written += 1000)); do
  echo "INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
        SELECT 'bench', 'Order', 'o-' || ($written + g) / 10, ($written + g) % 10 + 1, 'OrderLineAdded',
               '$PAYLOAD', '$METADATA' FROM generate_series(0, 999) g;"
done | psql "$DB_URL" -q
psql "$DB_URL" -qc "VACUUM ANALYZE events"

LAST=$((EVENTS - 1000))
# the store's query (PgFeed: its columns over temper_store_read_feed), from the position of a random row
cat >"$WORK/feed.sql" <<EOF
\set a random(1, $LAST)
SELECT tx, id, entity_type, entity_id, sequence_nr, event_type, payload::text, metadata ->> 'event_id' AS event_id, metadata ->> 'causation_id' AS causation_id, metadata ->> 'correlation_id' AS correlation_id, metadata ->> 'timestamp' AS event_timestamp, metadata ->> 'actor_id' AS actor_id FROM temper_store_read_feed('bench', (SELECT tx_id::text::bigint FROM events WHERE id = :a), :a, NULL, NULL, 1001);
EOF
# the baseline of FeedBenchmark: the same number of rows by id range
cat >"$WORK/range.sql" <<EOF
\set a random(1, $LAST)
SELECT id, entity_type, entity_id, sequence_nr, event_type, payload, metadata FROM events WHERE id BETWEEN :a AND :a + 999;
EOF

echo "| round | feed query ms per page | range scan ms per page | ratio (range / feed) |"
echo "|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  latency() {
    pgbench -n -M prepared -c 1 -T "$SECONDS_EACH" -f "$WORK/$1.sql" "$DB_URL" 2>/dev/null \
      | awk '/latency average/ {print $4}'
  }
  range=$(latency range)
  feed=$(latency feed)
  awk -v r="$round" -v f="$feed" -v g="$range" 'BEGIN {printf "| %d | %.3f | %.3f | %.2f× |\n", r, f, g, g / f}'
done
