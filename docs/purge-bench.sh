#!/usr/bin/env bash
# A tenant purge under load: other tenants append (`bench --workload append`, each client its own stream) while
# `purge-tenant` removes a tenant of 1,000,000 events (10,000 streams of 100), 10,000 snapshots and 1,000 secrets,
# written by SQL first. For each round and client count: the appends alone, then the appends with the purge started
# as their measurement starts (alone first in odd rounds, second in even ones), each on a fresh scratch database.
# Prints one line per run: round, clients, phase, events/s, p50 and p99 ms, and the purge's seconds.
#   mvn -B -q package -DskipTests && docs/purge-bench.sh
# Settings: CLIENTS (default "8 64"), ROUNDS (2), DURATION (20s), WARMUP (5s), JAR (target/temper-store.jar),
# PURGE_ARGS (more purge-tenant options, e.g. "--duty 1 --batch 5000": at full speed), DATABASE_URL (a superuser URL).
# ANCHOR=1 adds a third phase, the nearest honest anchor: the same rows deleted by plain SQL (one DO block, batches of
# ANCHOR_BATCH rows by ctid, each committed, resting (1 - ANCHOR_DUTY) / ANCHOR_DUTY times as long as it took: what
# purge-tenant does, without the store), so that what deleting itself costs the other tenants shows beside the purge.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=${JAR:-target/temper-store.jar}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-8 64}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PURGE_ARGS=${PURGE_ARGS:-}
ANCHOR=${ANCHOR:-0}
ANCHOR_BATCH=${ANCHOR_BATCH:-2000}
ANCHOR_DUTY=${ANCHOR_DUTY:-0.25}
WORK=$(mktemp -d)
SCRATCH=temper_purge_bench_$$
SCRATCH_URL=${URL%/*}/$SCRATCH
trap 'rm -rf "$WORK"; psql "$URL" -qc "DROP DATABASE IF EXISTS $SCRATCH" >/dev/null 2>&1 || true' EXIT

fresh() { # a migrated database holding the tenant to purge
  psql "$URL" -qc "DROP DATABASE IF EXISTS $SCRATCH" -c "CREATE DATABASE $SCRATCH" 2>/dev/null
  DATABASE_URL=$SCRATCH_URL java -jar "$JAR" migrate >/dev/null 2>&1
  psql "$SCRATCH_URL" -q <<'SQL'
INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata)
SELECT 'leaving', 'Order', 'o-' || (g / 100), g % 100 + 1, 'Placed',
       jsonb_build_object('n', g, 'note', repeat('x', 100)),
       jsonb_build_object('event_id', gen_random_uuid()::text)
  FROM generate_series(0, 999999) g;
INSERT INTO snapshots (tenant, entity_type, entity_id, sequence_nr, state)
SELECT 'leaving', 'Order', 'o-' || g, 100, decode(repeat('ab', 200), 'hex') FROM generate_series(0, 9999) g;
INSERT INTO tenant_secrets (tenant, key_name, ciphertext, nonce)
SELECT 'leaving', 'key-' || g, decode(repeat('cd', 64), 'hex'), decode(repeat('ef', 12), 'hex')
  FROM generate_series(1, 1000) g;
VACUUM ANALYZE events;
SQL
}

run() { # round clients phase
  fresh
  DATABASE_URL=$SCRATCH_URL java -jar "$JAR" bench --workload append --clients "$2" --duration "$DURATION" \
    --warmup "$WARMUP" --json "$WORK/run.json" >/dev/null 2>&1 &
  local bench=$! purge_seconds=-
  if [[ $3 == purge ]]; then
    sleep "${WARMUP%s}"
    local started=$(date +%s.%N)
    DATABASE_URL=$SCRATCH_URL java -jar "$JAR" purge-tenant --tenant leaving $PURGE_ARGS > "$WORK/receipt.json" 2>/dev/null
    purge_seconds=$(echo "$(date +%s.%N) - $started" | bc)
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['finished'] and r['removed']['events']==1000000, r" \
      "$WORK/receipt.json"
  fi
  if [[ $3 == sql ]]; then
    sleep "${WARMUP%s}"
    local started=$(date +%s.%N)
    for table in events snapshots tenant_secrets; do
      psql "$SCRATCH_URL" -q >/dev/null <<SQL
DO \$\$
DECLARE n bigint; t timestamptz;
BEGIN
  LOOP
    t := clock_timestamp();
    DELETE FROM $table x WHERE x.ctid = ANY (ARRAY(SELECT y.ctid FROM $table y WHERE y.tenant = 'leaving'
                                                    LIMIT $ANCHOR_BATCH));
    GET DIAGNOSTICS n = ROW_COUNT;
    COMMIT;
    EXIT WHEN n = 0;
    PERFORM pg_sleep(extract(epoch FROM clock_timestamp() - t) * (1 - $ANCHOR_DUTY) / $ANCHOR_DUTY);
  END LOOP;
END
\$\$;
SQL
    done
    purge_seconds=$(echo "$(date +%s.%N) - $started" | bc)
    [[ $(psql "$SCRATCH_URL" -tAc "SELECT count(*) FROM events WHERE tenant = 'leaving'") == 0 ]]
  fi
  wait "$bench"
  python3 - "$1" "$2" "$3" "$WORK/run.json" "$purge_seconds" <<'PY'
import json, sys
r = json.load(open(sys.argv[4]))
print(f"{sys.argv[1]}\t{sys.argv[2]}\t{sys.argv[3]}\t{r['eventsPerSecond']:.0f}\t{r['latencyMs']['p50']:.2f}"
      f"\t{r['latencyMs']['p99']:.2f}\t{sys.argv[5]}")
PY
}

printf 'round\tclients\tphase\tevents/s\tp50 ms\tp99 ms\tpurge s\n'
for round in $(seq 1 "$ROUNDS"); do
  for clients in $CLIENTS; do
    if (( round % 2 )); then run "$round" "$clients" alone; run "$round" "$clients" purge
    else run "$round" "$clients" purge; run "$round" "$clients" alone; fi
    if [[ $ANCHOR == 1 ]]; then run "$round" "$clients" sql; fi
  done
done
