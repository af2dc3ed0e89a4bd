#!/usr/bin/env bash
# A collector that takes every OTLP/HTTP export and keeps nothing: it answers 200 with an empty protobuf body (an
# empty ExportTraceServiceResponse, i.e. everything accepted). It measures what exporting costs the service (issue 14,
# docs/design/performance.md), apart from what a real collector would cost the machine.
#
#   src/bench/otlp-noop-collector.sh 4318 &
#   SERVICE_JOPTS="-Dquarkus.otel.exporter.otlp.traces.endpoint=http://127.0.0.1:4318 \
#     -Dquarkus.otel.exporter.otlp.traces.protocol=http/protobuf" PROJECT=$PWD ... ../shared/bench/run-peers.sh
#
# It prints how many exports and bytes it took when stopped (Ctrl-C / SIGTERM), so a run can show spans did leave.
set -euo pipefail
PORT=${1:-4318}
exec python3 - "$PORT" <<'PY'
import signal, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

took = {"exports": 0, "bytes": 0}

class Collector(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        self.rfile.read(n)
        took["exports"] += 1
        took["bytes"] += n
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

def stop(*_):
    print(f"otlp-noop-collector: {took['exports']} exports, {took['bytes']} bytes", flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Collector).serve_forever()
PY
