#!/usr/bin/env bash
# saga_dispatch, measured: starts an SMS gateway stub (Python, answers 202) and the packaged service (target/quarkus-app,
# build it first) against database bench_dispatch of the machine's PostgreSQL, then runs SqlDispatchBench.java as the
# application: the latency from a dispatch's commit to its saga's first attempt (one connection, eight, a burst of eight), and,
# with the service stopped, what saga_dispatch adds to the caller's transaction against a plain INSERT of the row.
#
#   src/bench/sql-dispatch.sh [N]        (N dispatches per latency run, default 1000; the cost run makes 2N transactions)
#
# Needs root for the database (as ../shared/bench does), java 17+ and python3.
set -euo pipefail
N=${1:-1000}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${PORT:-18291} SMS_PORT=${SMS_PORT:-18290}
URL=jdbc:postgresql://127.0.0.1:5432/bench_dispatch
PGJDBC=$(ls "$REPO"/target/quarkus-app/lib/main/org.postgresql.postgresql-*.jar)

runuser -u postgres -- psql -qX -c "do \$\$ begin if not exists (select from pg_roles where rolname = 'bench') then
  create role bench login password 'bench'; end if; end \$\$" -c "drop database if exists bench_dispatch with (force)" \
  -c "create database bench_dispatch owner bench" >/dev/null
python3 - "$SMS_PORT" >/dev/null 2>&1 <<'PY' &
import sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Gateway).serve_forever()
PY
sms=$!
java -Dquarkus.http.port="$PORT" -Dquarkus.datasource.jdbc.url="$URL" -Dquarkus.datasource.username=bench \
  -Dquarkus.datasource.password=bench -Dsaga.http.sms-api.url="http://127.0.0.1:$SMS_PORT" \
  -Dquarkus.rest-client.tt-user-api.url=http://127.0.0.1:9 -Dtt.app-secret=bench -Dquarkus.security.users.embedded.users.bench=bench \
  -jar "$REPO/target/quarkus-app/quarkus-run.jar" >/tmp/sql-dispatch-service.log 2>&1 &
svc=$!
trap 'kill $svc $sms 2>/dev/null || true' EXIT
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/q/health/ready"; do
  kill -0 $svc 2>/dev/null || { echo "the service exited, see /tmp/sql-dispatch-service.log" >&2; exit 1; }
  sleep 0.1
done
bench() { java -cp "$PGJDBC" "$REPO/src/bench/SqlDispatchBench.java" "$1" "$URL" bench bench "${@:2}" | grep RESULT; }
bench latency 200 4 5 >/dev/null   # warm-up: the service's first sagas pay for class loading and JIT
bench latency "$((N / 4))" 1 20
bench latency "$N" 8 40
bench latency "$N" 8 0             # a burst: as fast as 8 connections can commit; the latency is then queueing
kill $svc; wait $svc 2>/dev/null || true
bench cost "$N"
