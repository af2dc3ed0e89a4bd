#!/usr/bin/env bash
# Starts the README's run command (./mvnw quarkus:dev) on this checkout, waits for it to answer, sends the README's
# first curl and expects 200, runs each walkthrough of the README and of the pages in $walkthrough_pages (a ```bash
# block after a line `<!-- walkthrough: NAME -->`) and expects each status it announces, then stops it. A walkthrough runs as a bash
# script of its own, as a reader would paste it (variables, sleeps, edits of a definition, `ID=$(curl ...)`); the
# curl after a comment that contains `-> STATUS` must answer that status. Definitions a walkthrough edits are put back
# at the end, whatever happened. Dev mode resolves dependencies that `verify` never touches (an
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

definitions_before="$(dirname "$data_dir")/saga-definitions.before"
cp -a saga-definitions "$definitions_before"

SAGA_EMBEDDED_DATABASE_DATA_DIR="$data_dir" setsid ./mvnw quarkus:dev </dev/null >"$log" 2>&1 &
pid=$!
stop() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -rf saga-definitions && cp -a "$definitions_before" saga-definitions
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

# each walkthrough: a comment line announces the status of the curl that follows it ("... -> 409 COMPENSATED"); curl is
# a function there that checks it, so that it is checked inside `$(...)` and pipes too (the expectation goes through a
# file: a command substitution runs in a subshell)
# the pages whose marked blocks a reader is told to paste; a doc that lies fails the build
walkthrough_pages="README.md docs/getting-started.md docs/writing-sagas.md docs/operating.md"
count=0
for page in $walkthrough_pages; do
  for name in $(grep -o '<!-- walkthrough: [a-z0-9-]* -->' "$page" | awk '{print $3}'); do
    block=$(awk -v marker="<!-- walkthrough: $name -->" '$0 == marker {f = 1; next} f && /^```bash/ {b = 1; next} b && /^```/ {exit} b {print}' "$page")
    if ! grep -q 'curl ' <<<"$block"; then
      echo "walkthrough $name of $page has no curl" >&2
      exit 1
    fi
    echo "== walkthrough $name ($page)"
    count=$((count + 1))
    script="$(dirname "$data_dir")/walkthrough-$name.sh"
    {
      echo 'set -euo pipefail'
      echo "answer='$answer'; expectation='$(dirname "$data_dir")/expected-status'; : >\"\$expectation\""
      cat <<'CURL'
curl() {
  local expected code
  expected=$(cat "$expectation"); : >"$expectation"
  code=$(command curl -s -o "$answer" -w '%{http_code}' "$@") || code="000"
  echo "walkthrough $WALKTHROUGH: HTTP $code (expected ${expected:-any}) $(head -c 300 "$answer")" >&2
  cat "$answer"
  [ -z "$expected" ] || [ "$code" = "$expected" ]
}
CURL
      sed -E 's/^(#.*-> ([0-9]{3}).*)$/\1\necho \2 >"$expectation"/' <<<"$block"
    } >"$script"
    if ! WALKTHROUGH="$name" bash "$script" >"$script.out"; then
      echo "walkthrough $name of $page failed (its script: $script)" >&2
      tail -n 60 "$log" >&2
      exit 1
    fi
  done
done
echo "$count walkthroughs ran, every announced status as expected"
