#!/usr/bin/env bash
# Where the 64-client append tail comes from, with the jar in target/ (build it first: mvn -B package -DskipTests).
# Each round runs `bench --workload append` (1-event appends, 12 s of warm-up, 12 s measured), printing its p50 and
# p99 beside the store's own split (queue wait and statement time, from the batcher's histograms) and, from 6 s
# into the measured part, over 6 s, each event loop's CPU time and its time waiting for a CPU on the run queue
# (/proc/<pid>/task/<tid>/schedstat); then pgbench's 1-row INSERT with the same clients on a migrated scratch
# database, its p50 and p99 from its per-transaction log.
#   docs/append-tail.sh            # 64 clients, 3 rounds
#   CLIENTS=1 ROUNDS=2 docs/append-tail.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-64}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
JAR=$PWD/target/temper-store.jar
WORK=$(mktemp -d)
SCRATCH=temper_append_tail_$$
trap 'rm -rf "$WORK"; psql "$URL" -qc "DROP DATABASE IF EXISTS $SCRATCH" >/dev/null 2>&1 || true' EXIT

psql "$URL" -qc "CREATE DATABASE $SCRATCH"
DATABASE_URL=${URL%/*}/$SCRATCH java -jar "$JAR" migrate >/dev/null 2>&1
cat > "$WORK/insert.sql" <<'SQL'
\set n random(1, 9000000000000000000)
INSERT INTO events (tenant, entity_type, entity_id, sequence_nr, event_type, payload, metadata) VALUES ('bench', 'Order', 'pg-' || :client_id || '-' || :n, 1, 'OrderLineAdded', '{"sku":"A-1","quantity":2}', '{"event_id":"00000000-0000-0000-0000-000000000001"}');
SQL

# per event-loop thread of PID over SECONDS: CPU ms/s and run-queue wait ms/s (schedstat: run ns, wait ns, slices)
loop_waits() {
  local pid=$1 seconds=$2 t
  for t in /proc/"$pid"/task/*; do
    [[ $(cat "$t/comm") == vert.x-eventloo* ]] && echo "${t##*/} $(cat "$t/schedstat")"
  done > "$WORK/before"
  sleep "$seconds"
  for t in /proc/"$pid"/task/*; do
    [[ $(cat "$t/comm") == vert.x-eventloo* ]] && echo "${t##*/} $(cat "$t/schedstat")"
  done > "$WORK/after"
  join <(sort "$WORK/before") <(sort "$WORK/after") | awk -v s="$seconds" '
    ($5 - $2) / s > 20e6 { printf "%s%.0f/%.0f", sep, ($5 - $2) / 1e6 / s, ($6 - $3) / 1e6 / s; sep = ", " }'
}

# from the bench's --json summary: events/s, p50, p99, p99/p50, and the store's split
bench_figures() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l, s = d["latencyMs"], d["store"]
print(f"{d['eventsPerSecond']:,.0f} | {l['p50']:.2f} / {l['p99']:.2f} | {l['p99'] / l['p50']:.1f}× | "
      f"{s['queuedMs']['p50']:.2f} / {s['queuedMs']['p99']:.2f} | "
      f"{s['statementMs']['p50']:.2f} / {s['statementMs']['p99']:.2f} | {s['requestsPerStatement']:.1f}")
PY
}

echo "| round | store appends/s | p50 / p99 ms | p99 / p50 | queued p50 / p99 ms | statement p50 / p99 ms | requests a statement | event loops busy: CPU / run-queue wait ms a s | pgbench rows/s | pgbench p50 / p99 ms | p99 / p50 |"
echo "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  DATABASE_URL=$URL java -XX:+UseSerialGC -jar "$JAR" bench --workload append --clients "$CLIENTS" \
    --duration 12s --warmup 12s --json "$WORK/bench.json" > /dev/null 2>&1 &
  bench=$!
  sleep 18
  jvm=$(pgrep -f "$JAR bench" | head -1)
  waits=$(loop_waits "$jvm" 6)
  wait "$bench"
  rm -f "$WORK"/pgbench_log.*
  tps=$(cd "$WORK" && pgbench -n -c "$CLIENTS" -j "$(( CLIENTS < 2 ? 1 : 2 ))" -T 12 \
    -f "$WORK/insert.sql" --log "${URL%/*}/$SCRATCH" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  read -r pg50 pg99 < <(cat "$WORK"/pgbench_log.* | awk '{ print $3 }' | sort -n \
    | awk '{ v[NR] = $1 } END { printf "%.2f %.2f\n", v[int(NR * 0.5)] / 1000, v[int(NR * 0.99)] / 1000 }')
  printf "| %d | %s | %s | %.0f | %s / %s | %.1f× |\n" "$round" "$(bench_figures "$WORK/bench.json")" \
    "$waits" "$tps" "$pg50" "$pg99" "$(python3 -c "print($pg99 / $pg50)")"
done
