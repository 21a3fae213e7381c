#!/usr/bin/env bash
# Appends with one subscription delivering, against appends without, in one run per setting: `bench --workload
# subscribe --alternate 5s` sends the 64 clients' 1-event appends to the subscribed tenant for 5 s, then to a
# tenant without a subscription for 5 s, in turn (30 s of warm-up, 60 s measured), so both kinds share the
# machine's drift. Each argument is a list of JVM options for one run ("" for the defaults); build the jar first
# (mvn -B package -DskipTests). At each progress line it reads the CPU time of the JVM and of the whole machine
# from /proc (same machine as PostgreSQL), and charges each second to the phase it ran in: CPU µs per append of
# the JVM and of the rest (PostgreSQL and the kernel), with and without the subscription.
#   docs/subscribe-alternating.sh "" "-Dtemper.subscriptions.credit=256"
#   ROUNDS=2 docs/subscribe-alternating.sh ""
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
JAR=target/temper-store.jar
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
[ $# -gt 0 ] || set -- ""

field() { # field NAME FILE: a number from the bench's --json summary
  sed -n "s/^  \"$1\" : \([0-9.]*\).*/\1/p" "$2" | head -1
}

# one line per progress line: its phase, its appends in the last second, the JVM's ticks, the machine's ticks, idle
sample() { # sample PID
  while IFS= read -r line; do
    case "$line" in
      "["*)
        phase=q; [[ "$line" == *"(subscribed tenant)"* ]] && phase=S
        ops=$(sed -n 's/.* \([0-9,]*\) ops\/s now.*/\1/p' <<<"$line" | tr -d ,)
        jvm=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0)
        echo "$phase $ops $jvm $(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 }' /proc/stat)"
        ;;
    esac
  done
}

echo "| round | settings | with: appends/s | without | ratio | missing | duplicates | delivery p50 / p99 ms | CPU µs/append with: JVM / rest | without: JVM / rest |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$ROUNDS"); do
  for options in "$@"; do
    out="$WORK/run.json"; log="$WORK/run.log"; : >"$log"
    # shellcheck disable=SC2086 # the options are words on purpose
    DATABASE_URL=$URL java -XX:+UseSerialGC $options -jar "$JAR" bench --workload subscribe --clients 64 \
      --alternate 5s --duration 60s --warmup 30s --json "$out" >/dev/null 2>"$log" &
    pid=$!
    tail -n +1 -f --pid="$pid" "$log" | sample "$pid" >"$WORK/samples"
    wait "$pid"
    # a second is charged to the phase named by the line before it: the phase it ran in
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '
      NR > 1 && $3 >= j { k = p; ops[k] += $2; jvm[k] += $3 - j; busy[k] += ($4 - t) - ($5 - i) }
      { p = $1; j = $3; t = $4; i = $5 }
      END { for (k in ops) { f[k] = sprintf("%.0f / %.0f", jvm[k] / hz / ops[k] * 1e6, (busy[k] - jvm[k]) / hz / ops[k] * 1e6) }
            printf "%s | %s", f["S"], f["q"] }' "$WORK/samples")
    printf '| %s | %s | %.0f | %.0f | %.2f× | %s | %s | %s / %s | %s |\n' "$round" "${options:-(defaults)}" \
      "$(field appendsPerSecond "$out")" "$(field appendsPerSecondWithout "$out")" "$(field withToWithout "$out")" \
      "$(field missing "$out")" "$(field duplicates "$out")" "$(field p50LatencyMs "$out")" \
      "$(field p99LatencyMs "$out")" "$cpu"
  done
done
