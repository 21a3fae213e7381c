#!/usr/bin/env bash
# Appends with one subscription delivering under several settings, beside plain appends, all with the jar in
# target/ (build it first: mvn -B package -DskipTests). Each round runs plain appends, then `bench --workload
# subscribe` once per argument: each argument is a list of JVM options for that run ("" for the defaults). 64
# clients, 1-event appends, 30 s of warm-up and 20 s measured. From 35 s to 45 s into each run it sums the CPU time
# of the JVM and of every PostgreSQL process from /proc (same machine) and the machine's idle time.
#   docs/subscribe-settings.sh "" "-Dtemper.subscriptions.tail-read-gap=5ms"
#   ROUNDS=2 docs/subscribe-settings.sh "" "-Dtemper.subscriptions.credit=256"
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
JAR=target/temper-store.jar
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ $# -gt 0 ] || set -- ""

# clock ticks used so far by java and by postgres processes, and the machine's total and idle ticks
ticks() {
  awk '$2 == "(java)" { j += $14 + $15 } $2 == "(postgres)" { p += $14 + $15 } END { printf "%d %d ", j, p }' \
    /proc/[0-9]*/stat 2>/dev/null
  awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 }' /proc/stat
}

field() { # field NAME FILE: a number from the bench's --json summary
  sed -n "s/^  \"$1\" : \([0-9.]*\).*/\1/p" "$2" | head -1
}

echo "| round | settings | appends/s | ratio | delivered/s | missing | duplicates | p50 / p99 ms | CPU µs/event JVM / PostgreSQL | idle |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  plain=""
  for run in append "$@"; do
    if [ "$run" = append ]; then workload=append; options=""; else workload=subscribe; options=$run; fi
    out="$WORK/run.json"
    # shellcheck disable=SC2086 # the options are words on purpose
    DATABASE_URL=$URL java -XX:+UseSerialGC $options -jar "$JAR" bench --workload "$workload" --clients 64 \
      --duration 20s --warmup 30s --json "$out" >/dev/null 2>&1 &
    pid=$!
    sleep 35; read -r j0 p0 t0 i0 < <(ticks); sleep 10; read -r j1 p1 t1 i1 < <(ticks)
    wait "$pid"
    ops=$(field operationsPerSecond "$out")
    [ -n "$plain" ] || plain=$ops
    hz=$(getconf CLK_TCK)
    cpu=$(awk -v j=$((j1 - j0)) -v p=$((p1 - p0)) -v hz="$hz" -v ops="$ops" \
      'BEGIN { printf "%.0f / %.0f", j / hz / 10 / ops * 1e6, p / hz / 10 / ops * 1e6 }')
    idle=$(( (i1 - i0) * 100 / (t1 - t0) ))
    if [ "$workload" = append ]; then
      printf '| %s | plain appends | %.0f | 1.00× | – | – | – | – | %s | %s%% |\n' "$round" "$ops" "$cpu" "$idle"
    else
      printf '| %s | subscribe %s | %.0f | %.2f× | %.0f | %s | %s | %s / %s | %s | %s%% |\n' "$round" \
        "${options:-(defaults)}" "$ops" "$(awk -v a="$ops" -v b="$plain" 'BEGIN { print a / b }')" \
        "$(field deliveredPerSecond "$out")" "$(field missing "$out")" "$(field duplicates "$out")" \
        "$(field p50LatencyMs "$out")" "$(field p99LatencyMs "$out")" "$cpu" "$idle"
    fi
  done
done
