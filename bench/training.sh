#!/usr/bin/env bash
# The training load run for docs/BENCHMARKS.md: a national cohort (500
# trainees with 200 e-portfolio entries each, bench/traingen) on SQLite and
# on PostgreSQL, and wrk against hcs serve on 127.0.0.1 as the national
# school's administrator: the cohort overview (distinct filters) and one
# trainee's record page (each trainee in turn). No response cache applies
# to signed-in pages; each run starts after a warm-up, so the figures are
# with the database's own caches warm.
# Usage: bench/training.sh [duration, default 20s] [connections, default 8]
# Environment: RUNS (default 3); TRAINEES (500); EVIDENCE (200);
# HCS_BENCH_POSTGRES, a URL with rights to create databases.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20s}
conns=${2:-8}
runs=${RUNS:-3}
admin_url=${HCS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
addr=127.0.0.1:18083
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
[ -x bin/hcs ] || { echo "run make build first"; exit 1; }
work=$(mktemp -d)
pid=""
pgdb="hcs_training_$$"
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
password=bench-$$-password
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: 1 thread, $conns connections, $duration per run, $runs runs; client and server share the machine"
go build -o "$work/traingen" ./bench/traingen

psql "$admin_url" -qc "CREATE DATABASE $pgdb" >/dev/null
for target in "sqlite=$work/training.db" "postgresql=${admin_url%/*}/$pgdb?sslmode=disable"; do
  name=${target%%=*}; db=${target#*=}
  start=$(date +%s.%N)
  "$work/traingen" -db "$db" -password "$password" -trainees "${TRAINEES:-500}" -evidence "${EVIDENCE:-200}" > "$work/gen"
  printf "%s: generated in %.0f s\n" "$name" "$(echo "$(date +%s.%N) - $start" | bc)"
  tail -n +2 "$work/gen" > "$work/ids"
  email=$(head -1 "$work/gen")
  ./bin/hcs serve --addr "$addr" --db "$db" --log-level error > "$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 600); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.05; done
  export HCS_COOKIE HCS_IDS="$work/ids" HCS_PAGE
  HCS_COOKIE=$(curl -fs -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "http://$addr/api/v1/session" | awk '$6 == "hcs_session" {print "hcs_session=" $7}')
  for HCS_PAGE in cohort record; do
    wrk -t1 -c"$conns" -d5s -s bench/training.lua "http://$addr" > /dev/null # warm-up
    for i in $(seq "$runs"); do
      out=$(wrk -t1 -c"$conns" -d"$duration" --latency -s bench/training.lua "http://$addr")
      awk -v d="$name" -v p="$HCS_PAGE" -v i="$i" '
        function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v/1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v } sub(/s/, "", v); return v*1000 }
        /Requests\/sec/ {rps=$2} $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)} /Non-2xx/ {n=$NF}
        END {printf "  %-10s %-7s run %d: %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms  non-2xx %d\n", d, p, i, rps, p50, p99, n}' <<<"$out"
    done
  done
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
