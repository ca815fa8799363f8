#!/usr/bin/env bash
# Runs every Stride test and ends with one line: "N passed, M failed".
# Usage: ./test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
pg_dir=
cleanup() {
  rm -f "$log"
  if [ -n "$pg_dir" ]; then scripts/postgres.sh stop "$pg_dir"; fi
}
trap cleanup EXIT

# The dashboard's browser tests drive Debian's chromium (never a downloaded browser). Install it
# when missing, so that they run here as in CI, where a missing browser fails them.
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing chromium for the dashboard's browser tests..."
  if [ "$(id -u)" -eq 0 ]; then
    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get install -y chromium || { sudo apt-get update && sudo apt-get install -y chromium; }
  else
    echo "Cannot install chromium (not root and no sudo): the browser tests will fail."
  fi
fi

# The PostgreSQL store's tests run against a throwaway server started here (a temp folder, stopped
# and removed on exit). If it cannot start, those tests fail: nothing is skipped.
if pg_env=$(scripts/postgres.sh start); then
  eval "$pg_env"
  pg_dir=$STRIDE_PG_DIR
  export STRIDE_TEST_POSTGRES
else
  echo "PostgreSQL did not start: the PostgreSQL store's tests will fail."
fi

dotnet test --solution Stride.slnx -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Microsoft.Testing.Platform prints the totals of the whole run last.
passed=$(grep -E '^\s*succeeded:' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
failed=$(grep -E '^\s*failed:' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
skipped=$(grep -E '^\s*skipped:' "$log" | tail -n 1 | grep -oE '[0-9]+' || true)
passed=${passed:-0}
failed=${failed:-0}
skipped=${skipped:-0}

# Nothing may be skipped silently: a skipped test counts as failed.
if [ "$skipped" -gt 0 ]; then
  echo "$skipped test(s) were skipped; they count as failed."
  failed=$((failed + skipped))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status (build error or a crashed test host)."
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
