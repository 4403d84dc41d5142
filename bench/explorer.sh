#!/usr/bin/env bash
# Load figures for docs/BENCHMARKS.md: wrk against hcs serve on 127.0.0.1,
# /healthz as the baseline, then search and a specialism page, in one run.
# Usage: bench/explorer.sh [duration, default 20s] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
conns=${2:-64}
addr=127.0.0.1:18080
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

./bin/hcs serve --addr "$addr" --log-level error &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.05; done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "wrk: 2 threads, $conns connections, $duration per endpoint, client and server on the same machine"
printf "| endpoint | requests/s | p50 | p99 | %% of /healthz |\n|---|---|---|---|---|\n"
base=""
run() {
  local name=$1; shift
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  [ -z "$base" ] && base=$rps
  pct=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.0f%%", 100*a/b}')
  printf "| %s | %.0f | %s | %s | %s |\n" "$name" "$rps" "$p50" "$p99" "$pct"
  [ -z "$errors" ] || echo "  ($name: $errors)"
}
run "/healthz (baseline)" "http://$addr/healthz"
run "/api/v1/search (16 queries in turn)" -s bench/search.lua "http://$addr"
run "/specialisms/audiology (page)" "http://$addr/specialisms/audiology"
echo
echo "start-up to first answered /healthz:"
go run ./bench/startup -bin ./bin/hcs -runs 20
