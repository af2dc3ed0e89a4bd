#!/usr/bin/env bash
# Times the operator API's searches against a running service: each query R times (default 100),
# prints p50 and p99 in ms. Usage: src/bench/log-queries.sh http://127.0.0.1:8080 user:password [R]
set -euo pipefail
base=$1 auth=$2 reps=${3:-100}

time_query() { # name path
  local name=$1 path=$2 times
  curl -sf -u "$auth" "$base$path" -o /dev/null || { echo "$name: request failed: $path" >&2; return 1; }
  times=$(for _ in $(seq "$reps"); do curl -s -u "$auth" -o /dev/null -w '%{time_total}\n' "$base$path"; done | sort -n)
  printf '%-34s p50 %6.1f ms   p99 %6.1f ms   %s\n' "$name" \
    "$(awk -v n="$reps" 'NR == int(n * 0.5) + 0 {print $1 * 1000}' <<<"$times")" \
    "$(awk -v n="$reps" 'NR == int(n * 0.99) + 0 {print $1 * 1000}' <<<"$times")" "$path"
}

phone=$(curl -sf -u "$auth" "$base/api/sagas?status=COMPLETED&limit=1" | sed -E 's/.*"businessKey":"seed([0-9]+)".*/\1/')
cursor=$(curl -sf -u "$auth" "$base/api/sagas?status=COMPLETED&limit=50" | sed -E 's/.*"nextCursor":"([^"]+)".*/\1/')
time_query "newest 50" "/api/sagas?limit=50"
time_query "status=ESCALATED" "/api/sagas?status=ESCALATED&limit=50"
time_query "status=RUNNING,COMPENSATING" "/api/sagas?status=RUNNING&status=COMPENSATING&limit=50"
time_query "status=COMPLETED&definition" "/api/sagas?status=COMPLETED&definition=user-sync&limit=50"
time_query "status=COMPLETED, page 2" "/api/sagas?status=COMPLETED&limit=50&cursor=$cursor"
time_query "stuck=5m" "/api/sagas?stuck=5m&limit=50"
time_query "retrying=true" "/api/sagas?retrying=true&limit=50"
time_query "businessKey=phone" "/api/sagas?businessKey=$phone"
time_query "businessKey=username" "/api/sagas?businessKey=seed$phone"
time_query "ESCALATED + error text" "/api/sagas?status=ESCALATED&error=seeded%20failure%2042&limit=50"
time_query "one saga's detail" "/api/sagas/$(curl -sf -u "$auth" "$base/api/sagas?limit=1" | sed -E 's/.*"sagaId":"([^"]+)".*/\1/')"
time_query "stats" "/api/sagas/stats"
