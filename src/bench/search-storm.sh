#!/usr/bin/env bash
# Fires C concurrent worst-case searches (default 80) at a running service for S seconds (default 30) and,
# meanwhile, polls /q/health/ready and starts user-sync sagas one after another (half a second apart); then
# prints, for each kind of request, the answers by HTTP status and the latencies. Shows whether a flood
# of expensive searches starves starts and readiness (docs/design/performance.md: "Searches cannot drain the
# service"). Loopback only; at most 200 searchers and 300 seconds.
# Usage: src/bench/search-storm.sh http://127.0.0.1:8080 user:password [C] [S]   (user: saga-client and saga-viewer)
set -euo pipefail
base=$1 auth=$2 searchers=${3:-80} seconds=${4:-30}
[[ $base =~ ^http://(127\.0\.0\.1|localhost)(:[0-9]+)?$ ]] || { echo "loopback services only: $base" >&2; exit 2; }
(( searchers >= 1 && searchers <= 200 && seconds >= 1 && seconds <= 300 )) || { echo "1-200 searchers, 1-300 s" >&2; exit 2; }

[[ $(curl -s -o /dev/null -m 10 -w '%{http_code}' "$base/q/health/ready") == 200 ]] || { echo "$base is not ready" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# nothing matches these, so each one reads the whole log (or an index of it) before answering
searches=(
  "/api/sagas?error=zqxj-no-such-error&limit=50"
  "/api/sagas?updatedFrom=2099-01-01T00:00:00Z&limit=50"
  "/api/sagas?updatedTo=2000-01-01T00:00:00Z&limit=50"
  "/api/sagas?error=zqxj-no-such-error&updatedFrom=2099-01-01T00:00:00Z&limit=500"
)

search() { # worker number: search until the end, one line per answer: status seconds query
  local i=$1 n=0 path
  while (( SECONDS < end )); do
    path=${searches[$(( (i + n) % ${#searches[@]} ))]}
    curl -s -o /dev/null -m 60 -u "$auth" -w "%{http_code} %{time_total} ${path%%&limit*}\n" "$base$path" || true
    n=$((n + 1))
  done
}
ready() {
  while (( SECONDS < end )); do
    curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}\n' "$base/q/health/ready" || true
    sleep 0.5
  done
}
starts() {
  local n=0
  while (( SECONDS < end )); do
    curl -s -o /dev/null -m 30 -u "$auth" -H 'Content-Type: application/json' -w '%{http_code} %{time_total}\n' \
      -d "{\"name\":\"Storm\",\"phone\":\"17$(printf '%09d' $(( ($$ * 1000 + n) % 1000000000 )))\",\"roleIds\":[3]}" \
      "$base/api/sagas/user-sync?wait=5" || true
    n=$((n + 1))
    sleep 0.5
  done
}

# warm-up, not measured: a freshly started JVM's first start and first searches are slow for reasons of its own
for n in 1 2 3 4 5; do
  curl -s -o /dev/null -m 30 -u "$auth" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Warm\",\"phone\":\"16$(printf '%09d' $(( ($$ * 10 + n) % 1000000000 )))\",\"roleIds\":[3]}" \
    "$base/api/sagas/user-sync?wait=5" || true
done
for path in "${searches[@]}"; do curl -s -o /dev/null -m 60 -u "$auth" "$base$path" || true; done
end=$(( SECONDS + seconds ))
ready > "$out/ready" &
starts > "$out/starts" &
for i in $(seq "$searchers"); do search "$i" >> "$out/search.$i" & done
wait

summary() { # name file: answers by status, then latency p50 / p99 / max in ms
  local name=$1 file=$2
  printf '%-34s %s\n' "$name" "$(awk '{print $1}' "$file" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
  sort -k2 -n "$file" | awk '{t[NR] = $2 * 1000}
    function at(q,  i) { i = int(NR * q); return t[i < 1 ? 1 : i] }
    END {if (NR) printf "%-34s p50 %.0f ms   p99 %.0f ms   max %.0f ms   (%d requests)\n", "", at(0.5), at(0.99), t[NR], NR}'
}
cat "$out"/search.* > "$out/searches"
echo "$searchers searchers for $seconds s against $base"
summary "GET /q/health/ready" "$out/ready"
summary "POST /api/sagas/user-sync?wait=5" "$out/starts"
summary "all searches" "$out/searches"
for path in "${searches[@]}"; do
  key=${path%%&limit*}
  grep -F " $key" "$out/searches" | awk -v k="$key" '$3 == k' > "$out/one" || true
  summary "  $key" "$out/one"
done
