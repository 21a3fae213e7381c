#!/usr/bin/env bash
# Appends and reads of events with two personal fields (bench --personal: /customer/id and /note of each event are
# its client's customer's, stored encrypted) beside the same events unmarked, alternating in one run on one scratch
# database, at each client count; prints each pair's ratio personal/plain and the medians' ratio. Needs the fat jar
# (mvn -B package -DskipTests), psql, jq, and a PostgreSQL whose ADMIN_URL role may create databases.
#   docs/personal-bench.sh                          # 3 pairs of 10 s after 20 s of warm-up, at 1, 8 and 64 clients
#   PAIRS=2 CLIENTS="1 8" WORKLOADS=append docs/personal-bench.sh
# The warm-up is long because the personal path's AES-GCM reaches its compiled speed late: after 5 s the personal
# runs were still some 20% behind at 8 clients, after 25 s within the noise.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-20s}
CLIENTS=${CLIENTS:-1 8 64}
WORKLOADS=${WORKLOADS:-append read}
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
JAVA="java -XX:+UseSerialGC -Xmn64m -jar target/temper-store.jar"
DB="personalbench_$$"
WORK=$(mktemp -d)
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
DB_URL="${ADMIN_URL%/*}/$DB"
DATABASE_URL=$DB_URL $JAVA migrate >/dev/null 2>&1
KEY=$(head -c 32 /dev/urandom | base64)

# run NAME WORKLOAD CLIENTS [--personal]: one bench run in its own JVM; prints events/s
run() {
  local name=$1 workload=$2 clients=$3; shift 3
  DATABASE_URL=$DB_URL TEMPER_SECRETS_KEYS_1=$KEY TEMPER_HTTP_ENABLED=false $JAVA bench --workload "$workload" \
    --clients "$clients" --duration "$DURATION" --warmup "$WARMUP" --stream-length 1000 --page-size 100 "$@" \
    --json "$WORK/$name.json" >/dev/null 2>&1
  local errors; errors=$(jq '[.errorsByCode[]?] | add // 0' "$WORK/$name.json")
  [ "$errors" = "0" ] || echo "warning: $name had $errors errors" >&2
  jq '.eventsPerSecond | floor' "$WORK/$name.json"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-8s %8s %-6s %14s %14s %7s\n' workload clients pair "plain (ev/s)" "personal (ev/s)" ratio
for workload in $WORKLOADS; do
  for clients in $CLIENTS; do
    plains=(); personals=()
    for pair in $(seq 1 "$PAIRS"); do
      # the order alternates between pairs: the database grows through the run, and each run is slower than the last
      if [ $((pair % 2)) -eq 1 ]; then
        plain=$(run "plain-$workload-$clients-$pair" "$workload" "$clients")
        personal=$(run "personal-$workload-$clients-$pair" "$workload" "$clients" --personal)
      else
        personal=$(run "personal-$workload-$clients-$pair" "$workload" "$clients" --personal)
        plain=$(run "plain-$workload-$clients-$pair" "$workload" "$clients")
      fi
      plains+=("$plain"); personals+=("$personal")
      printf '%-8s %8s %-6s %14s %14s %7.3f\n' "$workload" "$clients" "$pair" "$plain" "$personal" \
        "$(echo "$personal / $plain" | bc -l)"
    done
    mp=$(median "${plains[@]}"); mq=$(median "${personals[@]}")
    printf '%-8s %8s %-6s %14s %14s %7.3f\n' "$workload" "$clients" median "$mp" "$mq" "$(echo "$mq / $mp" | bc -l)"
  done
done
