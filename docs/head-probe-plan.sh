#!/usr/bin/env bash
# The plan PostgreSQL gives an inline exact-key probe of a stream's head (the row at the expected sequence, none
# after it) on an events table never analyzed, with a stream of 50,000 events: why the lone and shared INSERTs read
# the head through temper_store_stream_head instead (docs/benchmarks.md, "Where each of the issue's goals stands").
# Prints the plan as the owner and as a NOBYPASSRLS role, generic and custom; "Index Scan using
# idx_events_tenant_entity ... Rows Removed by Filter: 49999" is the whole stream read for one probe.
#   ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres docs/head-probe-plan.sh   (after mvn -B package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
# shellcheck source=docs/scratch-database.sh
. docs/scratch-database.sh
scratch_database head_probe

ROLE="head_probe_$$"
PROBE="SELECT EXISTS (SELECT 1 FROM events WHERE tenant = \$1 AND entity_type = \$2 AND entity_id = \$3
  AND sequence_nr = \$4) AND NOT EXISTS (SELECT 1 FROM events WHERE tenant = \$1 AND entity_type = \$2
  AND entity_id = \$3 AND sequence_nr = \$4 + 1)"
psql "$DB_URL" -q <<SQL
INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
SELECT 't1', 'Order', 'long', g, 'E', '{}', '{}' FROM generate_series(1, 50000) g;
INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
SELECT 't1', 'Order', 's' || (g / 10), g % 10 + 1, 'E', '{}', '{}' FROM generate_series(0, 49999) g;
CREATE ROLE $ROLE NOBYPASSRLS;
GRANT SELECT ON events TO $ROLE;
SQL
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true;
      psql "$ADMIN_URL" -qc "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
for who in owner "$ROLE"; do
  for mode in force_generic_plan force_custom_plan; do
    echo "== as $who, $mode"
    psql "$DB_URL" -q <<SQL
SELECT set_config('app.current_tenant', 't1', false) \gset
$( [[ $who == owner ]] || echo "SET ROLE $ROLE;" )
SET plan_cache_mode = $mode;
PREPARE probe(text, text, text, bigint) AS $PROBE;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE probe('t1', 'Order', 'long', 50000);
SQL
  done
done
