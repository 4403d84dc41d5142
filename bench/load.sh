#!/usr/bin/env bash
# The store's load run for docs/BENCHMARKS.md: wrk with 200 connections of
# a signed-in administrator's mixed reads and writes (bench/mixed.lua)
# against hcs serve on 127.0.0.1, on SQLite and then on PostgreSQL.
# Usage: bench/load.sh [duration, default 60s] [connections, default 200]
# PostgreSQL comes from $HCS_BENCH_POSTGRES, a URL with rights to create
# databases (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60s}
conns=${2:-200}
addr=127.0.0.1:18081
admin_url=${HCS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "wrk: 2 threads, $conns connections, $duration per database; client and server share the machine"

run() {
  local name=$1 db=$2
  ./bin/hcs serve --addr "$addr" --db "$db" --demo --log-level error > "$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 1200); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.05; done # demo set-up takes seconds
  local pw
  pw=$(awk '$2 == "admin@demo.hcs.test" {print $3}' "$work/out")
  export HCS_COOKIE
  HCS_COOKIE=$(curl -fs -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@demo.hcs.test\",\"password\":\"$pw\"}" "http://$addr/api/v1/session" | awk '$6 == "hcs_session" {print "hcs_session=" $7}')
  echo
  echo "== $name =="
  wrk -t2 -c"$conns" -d"$duration" --latency -s bench/mixed.lua "http://$addr" | grep -E "Requests/sec|Latency|50%|99%|requests in|Non-2xx|Socket|writes sent|5xx"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

run "SQLite (WAL, synchronous=FULL)" "$work/hcs.db"
name="hcs_load_$$"
psql "$admin_url" -qc "CREATE DATABASE $name" >/dev/null
run "PostgreSQL 15 (local)" "${admin_url%/*}/$name?sslmode=disable"
psql "$admin_url" -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
