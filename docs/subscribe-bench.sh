#!/usr/bin/env bash
# Appends with one subscription delivering, beside plain appends, for the jar of an earlier commit (BEFORE) and the
# one in target/ (build it first: mvn -B package -DskipTests). Each round runs plain appends (target's jar), then
# `bench --workload subscribe` with the BEFORE jar, then with target's jar: 64 clients, 1-event appends, 30 s of
# warm-up (the JIT was still compiling after 5 s) and 20 s measured. From 35 s to 45 s into each run it sums the
# CPU time of the JVM and of every PostgreSQL process from /proc (same machine), to print CPU µs per event.
#   docs/subscribe-bench.sh                      # BEFORE=bd9abff, 3 rounds
#   BEFORE=<rev> ROUNDS=2 docs/subscribe-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BEFORE=${BEFORE:-bd9abff}
ROUNDS=${ROUNDS:-3}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WORK=$(mktemp -d)
trap 'git worktree remove --force "$WORK/before" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

git worktree add --detach "$WORK/before" "$BEFORE" >/dev/null
(cd "$WORK/before" && mvn -B -q -DskipTests package)
cp "$WORK/before/target/temper-store.jar" "$WORK/before.jar"
cp target/temper-store.jar "$WORK/after.jar"

# clock ticks used so far by java and by postgres processes
ticks() {
  awk '$2 == "(java)" { j += $14 + $15 } $2 == "(postgres)" { p += $14 + $15 } END { print j + 0, p + 0 }' \
    /proc/[0-9]*/stat 2>/dev/null
}

field() { # field NAME FILE: a number from the bench's --json summary
  sed -n "s/^  \"$1\" : \([0-9.]*\).*/\1/p" "$2" | head -1
}

echo "| round | workload | jar | appends/s | delivered/s | missing | duplicates | p50 / p99 ms | CPU µs/event JVM / PostgreSQL |"
echo "|---:|---|---|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  for run in append:after subscribe:before subscribe:after; do
    workload=${run%%:*}; jar=${run##*:}; out="$WORK/$run-$round.json"
    DATABASE_URL=$URL java -XX:+UseSerialGC -jar "$WORK/$jar.jar" bench --workload "$workload" --clients 64 \
      --duration 20s --warmup 30s --json "$out" >/dev/null 2>&1 &
    pid=$!
    sleep 35; read -r j0 p0 < <(ticks); sleep 10; read -r j1 p1 < <(ticks)
    wait "$pid"
    ops=$(field operationsPerSecond "$out")
    hz=$(getconf CLK_TCK)
    cpu=$(awk -v j=$((j1 - j0)) -v p=$((p1 - p0)) -v hz="$hz" -v ops="$ops" \
      'BEGIN { printf "%.0f / %.0f", j / hz / 10 / ops * 1e6, p / hz / 10 / ops * 1e6 }')
    delivered=$(field deliveredPerSecond "$out") # the subscribe workload's figures; plain appends have none
    printf '| %s | %s | %s | %.0f | %.0f | %s | %s | %s / %s | %s |\n' "$round" "$workload" "$jar" "$ops" \
      "${delivered:-0}" "$(field missing "$out")" "$(field duplicates "$out")" \
      "$(field p50LatencyMs "$out")" "$(field p99LatencyMs "$out")" "$cpu"
  done
done
