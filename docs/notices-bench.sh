#!/usr/bin/env bash
# What asking for lifecycle notices costs a feed page in PostgreSQL: pgbench (one client, prepared) reading pages of
# PAGE events from random positions through temper_store_read_feed (no notices) and temper_store_read_feed_notices
# (the same page with the notices merged in), alternating, on one scratch database of EVENTS events and NOTICES
# notices spread over them (the store's schema, BenchPayloads' shape). Needs the fat jar (mvn -B package
# -DskipTests), psql and pgbench, and a PostgreSQL whose ADMIN_URL role may create databases; dropped at the end.
#   docs/notices-bench.sh                         # 200,000 events, 1,000 notices, pages of 100, 3 rounds of 8 s
#   PAGE=1000 ROUNDS=2 docs/notices-bench.sh
#   NOTICES=0 docs/notices-bench.sh               # no notice ahead of any page: what a reader at the end pays
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-200000}
NOTICES=${NOTICES:-1000}
PAGE=${PAGE:-100}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-8}
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
. docs/scratch-database.sh
scratch_database noticesbench
EVERY=$((NOTICES > 0 ? EVENTS / NOTICES : EVENTS + 1)) # NOTICES=0: none
# 1,000 events per transaction; a notice after every EVERY events, in the transaction of the events before it
for ((written = 0; written < EVENTS; written += 1000)); do
  echo "BEGIN;
        INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
        SELECT 'bench', 'Order', 'o-' || ($written + g) / 10, ($written + g) % 10 + 1, 'OrderLineAdded',
               '$PAYLOAD', '$METADATA' FROM generate_series(0, 999) g;
        INSERT INTO temper_store_notices (tenant, notice, entity_type, entity_id, head, served_from, actor)
        SELECT 'bench', '\$stream-truncated', 'Order', 'o-' || ($written + g) / 10, 10, 5, 'bench'
          FROM generate_series(0, 999) g WHERE ($written + g) % $EVERY = $EVERY - 1;
        COMMIT;"
done | psql "$DB_URL" -q
psql "$DB_URL" -qc "VACUUM ANALYZE events" -qc "VACUUM ANALYZE temper_store_notices"

LAST=$((EVENTS - PAGE))
COLUMNS="tx, id, entity_type, entity_id, sequence_nr, event_type, payload::text, metadata ->> 'event_id' AS event_id, metadata ->> 'causation_id' AS causation_id, metadata ->> 'correlation_id' AS correlation_id, metadata ->> 'timestamp' AS event_timestamp, metadata ->> 'actor_id' AS actor_id"
for function in read_feed read_feed_notices; do
  cat >"$WORK/$function.sql" <<EOF
\set a random(1, $LAST)
SELECT $COLUMNS FROM temper_store_$function('bench', (SELECT tx_id::text::bigint FROM events WHERE id = :a), :a, NULL, NULL, $((PAGE + 1)));
EOF
done

echo "| round | events only, ms per page | with notices, ms per page | notices / events only |"
echo "|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  latency() {
    pgbench -n -M prepared -c 1 -T "$SECONDS_EACH" -f "$WORK/$1.sql" "$DB_URL" 2>/dev/null \
      | awk '/latency average/ {print $4}'
  }
  plain=$(latency read_feed)
  notices=$(latency read_feed_notices)
  awk -v r="$round" -v p="$plain" -v n="$notices" 'BEGIN {printf "| %d | %.3f | %.3f | %.2fx |\n", r, p, n, n / p}'
done
