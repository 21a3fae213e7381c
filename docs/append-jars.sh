#!/usr/bin/env bash
# Appends through two builds of the store, alternating, to tell a change's cost from the machine's noise: for each
# round and client count, `bench --workload append` (1-event appends, each client its own stream) with jar A, then
# jar B (B first in even rounds), each on a fresh scratch database of its own (a build migrates its own functions).
# Prints one line per run: round, clients, jar, events/s, p50 and p99 ms. Build the jars first, e.g.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && mvn -B -q package -DskipTests)
#   A=/tmp/before/target/temper-store.jar B=target/temper-store.jar docs/append-jars.sh
# Settings: CLIENTS (default "1 8 64"), ROUNDS (2), DURATION (12s), WARMUP (8s), DATABASE_URL (a superuser URL).
set -euo pipefail
cd "$(dirname "$0")/.."

A=${A:?the jar before: A=path/to/temper-store.jar}
B=${B:?the jar after: B=path/to/temper-store.jar}
ROUNDS=${ROUNDS:-2}
CLIENTS=${CLIENTS:-1 8 64}
DURATION=${DURATION:-12s}
WARMUP=${WARMUP:-8s}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WORK=$(mktemp -d)
SCRATCH=temper_append_jars_$$
trap 'rm -rf "$WORK"; psql "$URL" -qc "DROP DATABASE IF EXISTS $SCRATCH" >/dev/null 2>&1 || true' EXIT

run() { # round clients label jar
  psql "$URL" -qc "DROP DATABASE IF EXISTS $SCRATCH" -c "CREATE DATABASE $SCRATCH" 2>/dev/null
  DATABASE_URL=${URL%/*}/$SCRATCH java -jar "$4" bench --workload append --clients "$2" --duration "$DURATION" \
    --warmup "$WARMUP" --json "$WORK/run.json" >/dev/null 2>&1
  python3 - "$1" "$2" "$3" "$WORK/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[4]))
print(f"{sys.argv[1]}\t{sys.argv[2]}\t{sys.argv[3]}\t{r['eventsPerSecond']:.0f}\t{r['latencyMs']['p50']:.2f}\t{r['latencyMs']['p99']:.2f}")
PY
}

printf 'round\tclients\tjar\tevents/s\tp50 ms\tp99 ms\n'
for round in $(seq 1 "$ROUNDS"); do
  for clients in $CLIENTS; do
    if (( round % 2 )); then run "$round" "$clients" A "$A"; run "$round" "$clients" B "$B"
    else run "$round" "$clients" B "$B"; run "$round" "$clients" A "$A"; fi
  done
done
