#!/usr/bin/env bash
# Append throughput through the TCP bridge with JWT authentication off and on, alternating in one run, and the
# ratio on/off of each pair and of the medians. Needs the fat jar (mvn -B package -DskipTests), psql, jq, and a
# PostgreSQL whose ADMIN_URL role may create databases. A fresh `serve` per run, on one scratch database that is
# dropped at the end.
#   docs/bridge-auth-bench.sh                 # 3 pairs of 15 s runs after 5 s of warm-up, 64 clients
#   PAIRS=5 DURATION=20s docs/bridge-auth-bench.sh
# With authentication on, the bridge also checks every frame against the revoked tokens: REVOCATIONS (default 1000)
# revocations of other tokens are in force during the runs (half by jti, half by subject).
# BASELINE_JAR=path compares two builds instead, both with authentication on: the baseline jar's runs take the
# "off" column (e.g. the build before a change to the bridge, from `git worktree add`).
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-3}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CLIENTS=${CLIENTS:-64}
REVOCATIONS=${REVOCATIONS:-1000}
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-7311}
JAVA="java -XX:+UseSerialGC -Xmn64m -jar target/temper-store.jar"
BASELINE_JAR=${BASELINE_JAR:-}
DB="bridgeauthbench_$$"
SECRET=$(head -c 32 /dev/urandom | base64)
WORK=$(mktemp -d)
SERVICE=

cleanup() {
  [ -n "$SERVICE" ] && kill "$SERVICE" 2>/dev/null && wait "$SERVICE" 2>/dev/null || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
DB_URL="${ADMIN_URL%/*}/$DB"
DATABASE_URL=$DB_URL $JAVA migrate >/dev/null 2>&1
psql "$DB_URL" -qc "INSERT INTO temper_store_token_revocations (jti, subject, issued_before, expires_at, actor)
  SELECT CASE WHEN g % 2 = 0 THEN gen_random_uuid()::text END, CASE WHEN g % 2 = 1 THEN 'other-' || g END,
         CASE WHEN g % 2 = 1 THEN now() END, now() + interval '1 day', 'bench'
    FROM generate_series(1, $REVOCATIONS) g"

# run NAME SECRET_OR_EMPTY: one service, one load run; prints appends/s
run() {
  local name=$1 secret=$2 log="$WORK/$1.log" token=() server=$JAVA config=()
  if [ -n "$BASELINE_JAR" ] && [[ $name == off-* ]]; then
    # its own build's configuration file, which names only the keys that build knows
    secret=$SECRET server="java -XX:+UseSerialGC -Xmn64m -jar $BASELINE_JAR"
    config=(--config "$(dirname "$BASELINE_JAR")/../conf/application.properties")
  fi
  DATABASE_URL=$DB_URL TEMPER_BRIDGE_ENABLED=true TEMPER_BRIDGE_PORT=$PORT TEMPER_HTTP_ENABLED=false \
    TEMPER_BRIDGE_AUTH_JWT_SECRET=$secret $server serve "${config[@]}" >"$log" 2>&1 &
  SERVICE=$!
  for _ in $(seq 1 120); do grep -q "temper-store ready in" "$log" && break; sleep 0.5; done
  grep -q "temper-store ready in" "$log" || { cat "$log" >&2; exit 1; }
  if [ -n "$secret" ]; then
    token=(--bridge-token "$(TEMPER_BRIDGE_AUTH_JWT_SECRET=$secret $JAVA issue-token --subject bench \
      --tenant bench --permissions read,write --ttl 1h)")
  fi
  $JAVA bench --bridge "127.0.0.1:$PORT" "${token[@]}" --workload append --clients "$CLIENTS" \
    --duration "$DURATION" --warmup "$WARMUP" --json "$WORK/$name.json" >/dev/null 2>&1
  kill "$SERVICE"; wait "$SERVICE" 2>/dev/null || true; SERVICE=
  local errors; errors=$(jq '[.errorsByCode[]?] | add // 0' "$WORK/$name.json")
  [ "$errors" = "0" ] || echo "warning: $name had $errors errors" >&2
  jq '.operationsPerSecond | floor' "$WORK/$name.json"
}

offs=(); ons=()
printf '%-6s %12s %12s %7s\n' pair "off (ops/s)" "on (ops/s)" ratio
for pair in $(seq 1 "$PAIRS"); do
  off=$(run "off-$pair" "")
  on=$(run "on-$pair" "$SECRET")
  offs+=("$off"); ons+=("$on")
  printf '%-6s %12s %12s %7.3f\n' "$pair" "$off" "$on" "$(echo "$on / $off" | bc -l)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
moff=$(median "${offs[@]}"); mon=$(median "${ons[@]}")
printf '%-6s %12s %12s %7.3f\n' median "$moff" "$mon" "$(echo "$mon / $moff" | bc -l)"
