#!/usr/bin/env bash
# Where the CPU of one saga goes: starts the TT stub and the packaged service (target/quarkus-app,
# build it first) against database bench_profile, drives it with the reference harness's service
# driver, and prints the CPU per saga of the service (by thread group), the stub and PostgreSQL.
#
#   src/bench/cpu-per-saga.sh [N] [JVM options of the service...]
#   src/bench/cpu-per-saga.sh 3000 -XX:StartFlightRecording=filename=/tmp/saga.jfr,settings=profile
#
# Needs a run of ../shared/bench/run-peers.sh first (it builds the stub and the driver; BENCH says
# where: /tmp/saga-bench for a read-only copy of the harness) and root for the database. SCENARIO=S2
# makes the stub's users the same, but no local step fails: use run-peers.sh for that scenario. APPJAR starts another
# jar in the service's place (the harness's floor probe: APPJAR=/tmp/saga-bench/floor-probe/target/quarkus-app/quarkus-run.jar).
set -euo pipefail
N=${1:-3000}
shift || true
BENCH=${BENCH:-/tmp/saga-bench}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
STUB_PORT=${STUB_PORT:-18190} PORT=${PORT:-18191} WARMUP=${WARMUP:-300}
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=bench PGPASSWORD=bench
[ -f "$BENCH/stub/target/tt-stub.jar" ] || { echo "no $BENCH/stub/target/tt-stub.jar: run ../shared/bench/run-peers.sh once" >&2; exit 2; }

runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD psql -qX \
  -c "drop database if exists bench_profile with (force)" -c "create database bench_profile owner bench" >/dev/null 2>&1
java -jar "$BENCH/stub/target/tt-stub.jar" --port "$STUB_PORT" >/dev/null 2>&1 &
stub=$!
java "$@" -Dquarkus.http.port="$PORT" -Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/bench_profile \
  -Dquarkus.datasource.username=bench -Dquarkus.datasource.password=bench \
  -Dquarkus.rest-client.tt-user-api.url="http://127.0.0.1:$STUB_PORT" -Dtt.app-secret=bench \
  -Dquarkus.security.users.embedded.enabled=true -Dquarkus.security.users.embedded.plain-text=true \
  -Dquarkus.security.users.embedded.users.bench=benchpw -Dquarkus.security.users.embedded.roles.bench=saga-client,saga-viewer \
  -jar "${APPJAR:-$REPO/target/quarkus-app/quarkus-run.jar}" >/tmp/cpu-per-saga-service.log 2>&1 &
svc=$!
trap 'kill $svc $stub 2>/dev/null || true' EXIT
t0=$(date +%s%N)
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; do
  kill -0 $svc 2>/dev/null || { echo "the service exited, see /tmp/cpu-per-saga-service.log" >&2; exit 1; }
  sleep 0.05
done
echo "ready after $((($(date +%s%N) - t0) / 1000000)) ms; peak RSS so far $(awk '/^VmHWM/ {print int($2 / 1024)}' /proc/$svc/status) MB"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in clock ticks (1/100 s)
postgres_ticks() { local t=0 p; for p in $(pgrep -u postgres postgres); do t=$((t + $(ticks "$p" 2>/dev/null || echo 0))); done; echo $t; }
threads() { # ticks per thread group of the service (digits in thread names folded)
  for t in /proc/$svc/task/*; do echo "$(sed -E 's/[0-9]+/N/g; s/ /_/g' "$t/comm" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"; done |
    awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
threads >/tmp/cpu-per-saga-before
s0=$(ticks $svc) st0=$(ticks $stub) p0=$(postgres_ticks)
java -Xms512m -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH/service/target/classes:$(cat "$BENCH/service/target/cp.txt")" \
  bench.service.ServiceSaga --stub "http://127.0.0.1:$STUB_PORT" --url "http://127.0.0.1:$PORT" \
  --jdbc jdbc:postgresql://127.0.0.1:5432/bench_profile --user bench --password bench \
  --n "$N" --c 16 --warmup "$WARMUP" --scenario "${SCENARIO:-S1}" | grep RESULT
threads >/tmp/cpu-per-saga-after
sagas=$((N + WARMUP))
per_saga() { awk -v d="$1" -v n=$sagas 'BEGIN {printf "%.2f", d * 10 / n}'; }
echo "CPU ms per saga: service $(per_saga $(($(ticks $svc) - s0))), stub $(per_saga $(($(ticks $stub) - st0))), PostgreSQL $(per_saga $(($(postgres_ticks) - p0)))"
join -a2 -e0 -o 0,1.2,2.2 /tmp/cpu-per-saga-before /tmp/cpu-per-saga-after |
  awk -v n=$sagas '$3 - $2 > 0 {printf "  %6.2f ms  %s\n", ($3 - $2) * 10 / n, $1}' | sort -rn | head -8
echo "peak RSS $(awk '/^VmHWM/ {print int($2 / 1024)}' /proc/$svc/status) MB"
