#!/usr/bin/env bash
# Starts the README's run command (./mvnw quarkus:dev) on this checkout, waits for it to answer, sends the README's
# first curl and expects 200, runs each walkthrough of the README (a ```bash block after a line
# `<!-- walkthrough: NAME -->`, each curl under a comment that ends in `-> STATUS ...`) and expects each status, then
# stops it. Dev mode resolves dependencies that `verify` never touches (an
# extension's conditional dev dependencies), so a green test run alone can hide a run command that fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# a fresh data directory, so that the README's first saga completes on every run of this check
data_dir="$PWD/target/readme-run-command/pgdata"
rm -rf "$(dirname "$data_dir")"
mkdir -p "$(dirname "$data_dir")"
log="$(dirname "$data_dir")/quarkus-dev.log"
limit_s="${README_RUN_LIMIT_S:-600}"

first_curl=$(awk '/^curl /{f=1} f{print} f && !/\\$/{exit}' README.md)
if [ -z "$first_curl" ]; then
  echo "no curl command found in README.md" >&2
  exit 1
fi

SAGA_EMBEDDED_DATABASE_DATA_DIR="$data_dir" setsid ./mvnw quarkus:dev </dev/null >"$log" 2>&1 &
pid=$!
stop() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
trap stop EXIT

started=$(date +%s)
until curl -fs -o /dev/null localhost:8080/q/health/ready; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the run command exited before answering; its output:" >&2
    tail -n 60 "$log" >&2
    exit 1
  fi
  if [ $(( $(date +%s) - started )) -ge "$limit_s" ]; then
    echo "the run command did not answer within ${limit_s}s; its output:" >&2
    tail -n 60 "$log" >&2
    exit 1
  fi
  sleep 2
done
echo "the run command answered after $(( $(date +%s) - started ))s"

answer="$(dirname "$data_dir")/first-curl.json"
code=$(eval "$first_curl -s -o '$answer' -w '%{http_code}'")
echo "README's first curl: HTTP $code $(cat "$answer")"
if [ "$code" != "200" ]; then
  tail -n 60 "$log" >&2
  exit 1
fi

# each walkthrough: a comment line announces the status of the curl under it ("... -> 409 COMPENSATED")
walkthroughs=$(grep -o '<!-- walkthrough: [a-z0-9-]* -->' README.md | awk '{print $3}')
for name in $walkthroughs; do
  expected=""
  command=""
  n=0
  while IFS= read -r line; do
    if [[ "$line" =~ ^#.*-\>\ ([0-9]{3}) ]]; then
      expected="${BASH_REMATCH[1]}"
    elif [[ -n "$command" || "$line" == curl\ * ]]; then
      command+="${line%\\} "
      if [[ "$line" != *\\ ]]; then
        n=$((n + 1))
        code=$(eval "$command -s -o '$answer' -w '%{http_code}'")
        echo "walkthrough $name, curl $n: HTTP $code (expected ${expected:-any}) $(head -c 300 "$answer")"
        if [ -n "$expected" ] && [ "$code" != "$expected" ]; then
          tail -n 60 "$log" >&2
          exit 1
        fi
        command=""
        expected=""
      fi
    fi
  done < <(awk -v marker="<!-- walkthrough: $name -->" '$0 == marker {f = 1; next} f && /^```bash/ {b = 1; next} b && /^```/ {exit} b {print}' README.md)
  if [ "$n" -eq 0 ]; then
    echo "walkthrough $name has no curl" >&2
    exit 1
  fi
done
