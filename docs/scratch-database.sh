# Sourced by the feed benchmark scripts (feed-query-bench.sh, notices-bench.sh), not run: the events they write
# (BenchPayloads' shape: PAYLOAD, METADATA) and a scratch database with the store's schema.
#   scratch_database PREFIX   creates PREFIX_<pid> on ADMIN_URL's server, migrated by target/temper-store.jar; sets
#                             DB, DB_URL and WORK (a temporary folder); both go at exit.

PAYLOAD='{"orderId":"ord-2026-11-000123","customer":{"id":"cust-4711","tier":"gold"},"line":{"sku":"SKU-88231-BLK-L","quantity":2,"unitPrice":1999,"currency":"EUR"},"tags":["web","promo-autumn"],"note":"leave at the front desk"}'
ID=0b6f2c1e-8a7d-4e3f-9c2b-1a0d9e8f7c6b
METADATA="{\"event_id\":\"$ID\",\"causation_id\":\"$ID\",\"correlation_id\":\"$ID\",\"timestamp\":\"2026-12-01T10:00:00.000Z\",\"actor_id\":\"bench-client-07\"}"

scratch_database() {
  DB="$1_$$"
  WORK=$(mktemp -d)
  trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
  DB_URL="${ADMIN_URL%/*}/$DB"
  DATABASE_URL=$DB_URL java -jar target/temper-store.jar migrate >/dev/null
}
