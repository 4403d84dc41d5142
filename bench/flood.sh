#!/usr/bin/env bash
# The signed-out flood of docs/BENCHMARKS.md: while wrk sends 200
# connections of password reset submissions (bench/flood-reset.lua) for
# 10 s, a second wrk measures /healthz with 4 connections. Prints /healthz's
# latency, the flood's answers and the server's peak memory, for:
#   1. hcs as configured by default (forms limited per address),
#   2. the per-address limit lifted (--forms-per-minute 100000000), so that
#      every submission reaches the handler,
#   3. the same, flooding sign-ups for new addresses: each one is hashed,
#      so this is the bound on hashing at work,
#   4. /healthz alone, for comparison,
# and, when HCS_BENCH_BEFORE names an older hcs binary, that binary under
# flood 1.
# Usage: make build && bench/flood.sh [duration, default 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
addr=127.0.0.1:18082
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk and hcs share it"

start() {
  local bin=$1; shift
  rm -rf "$work/data"
  "$bin" serve --addr "$addr" --db "$work/data/hcs.db" --log-level error "$@" > "$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 400); do curl -fs "http://$addr/healthz" >/dev/null && return; sleep 0.05; done
  echo "the server did not start:"; cat "$work/out"; exit 1
}

stop() {
  echo "  server peak memory: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$pid/status)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

measure() {
  local name=$1 script=$2
  echo
  echo "== $name =="
  if [ -n "$script" ]; then
    wrk -t1 -c200 -d"$duration" -s "$script" "http://$addr" > "$work/flood" 2>&1 &
    local flood=$!
    sleep 1
  fi
  wrk -t1 -c4 -d"$duration" --latency "http://$addr/healthz" | grep -E "Requests/sec|50%|90%|99%" | sed 's/^/  healthz /'
  if [ -n "$script" ]; then
    wait "$flood"
    grep -E "requests in|Non-2xx|Requests/sec|Socket" "$work/flood" | sed 's/^/  flood /'
  fi
}

start ./bin/hcs
measure "1. reset flood, default limits" bench/flood-reset.lua
stop
start ./bin/hcs --forms-per-minute 100000000
measure "2. reset flood, per-address limit lifted" bench/flood-reset.lua
stop
start ./bin/hcs --forms-per-minute 100000000
measure "3. sign-up flood, per-address limit lifted (every request hashed)" bench/flood-signup.lua
stop
start ./bin/hcs
measure "4. /healthz alone" ""
stop
if [ -n "${HCS_BENCH_BEFORE:-}" ]; then
  start "$HCS_BENCH_BEFORE"
  measure "before: $HCS_BENCH_BEFORE, reset flood" bench/flood-reset.lua
  stop
fi
