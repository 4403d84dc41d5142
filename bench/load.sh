#!/usr/bin/env bash
# The store's load run for docs/BENCHMARKS.md: wrk with 200 connections of
# a signed-in administrator's mixed reads and writes (bench/mixed.lua: one
# request in five creates an organisation) against hcs serve on 127.0.0.1,
# on SQLite and on PostgreSQL, this build beside a baseline build (default
# ad4ccfa, hcs before this work) in the same run, alternating, RUNS times.
# Usage: bench/load.sh [duration, default 30s] [connections, default 200]
# Environment: RUNS (default 3); BASELINE (a commit, or "none");
# HCS_BENCH_POSTGRES, a URL with rights to create databases (default
# postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30s}
conns=${2:-200}
runs=${RUNS:-3}
baseline=${BASELINE:-ad4ccfa}
addr=127.0.0.1:18081
admin_url=${HCS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
builds=("this build=./bin/hcs")
[ "$baseline" != none ] && builds+=("baseline $baseline=$(bash bench/baseline.sh "$baseline")")
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: 2 threads, $conns connections, $duration per run, $runs runs; client and server share the machine"

# run BUILD BIN DBNAME DB: one wrk run on a fresh database, recorded as
# build|db|req/s|p50 ms|p99 ms|5xx|non-2xx.
run() {
  local build=$1 bin=$2 dbname=$3 db=$4
  "$bin" serve --addr "$addr" --db "$db" --demo --log-level error > "$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 1200); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.05; done # demo set-up takes seconds
  local pw
  pw=$(awk '$2 == "admin@demo.hcs.test" {print $3}' "$work/out")
  export HCS_COOKIE
  HCS_COOKIE=$(curl -fs -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@demo.hcs.test\",\"password\":\"$pw\"}" "http://$addr/api/v1/session" | awk '$6 == "hcs_session" {print "hcs_session=" $7}')
  local out
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency -s bench/mixed.lua "http://$addr")
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  awk -v b="$build" -v d="$dbname" '
    function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v/1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v } sub(/s/, "", v); return v*1000 }
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)} /5xx responses/ {f=$3} /Non-2xx/ {n=$NF}
    END {printf "%s|%s|%.0f|%.2f|%.1f|%d|%d\n", b, d, rps, p50, p99, f, n}' <<<"$out" >> "$work/results"
  tail -1 "$work/results" | awk -F'|' '{printf "  %-22s %-10s %6s req/s  p50 %6s ms  p99 %7s ms  5xx %s\n", $1, $2, $3, $4, $5, $6}'
}

for i in $(seq "$runs"); do
  echo "run $i"
  for entry in "${builds[@]}"; do
    name=${entry%%=*}; bin=${entry#*=}
    run "$name" "$bin" sqlite "$work/hcs-$i-${name// /-}.db"
    db="hcs_load_$$_$i"
    psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
    run "$name" "$bin" postgresql "${admin_url%/*}/$db?sslmode=disable"
    psql "$admin_url" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
  done
done

echo
printf "| build | database | requests/s, median (range) | p50 ms | p99 ms, median (range) | 5xx |\n|---|---|---|---|---|---|\n"
awk -F'|' '
  { key=$1 "|" $2; if (!(key in n)) order[++k]=key; n[key]++; rps[key, n[key]]=$3; p50[key, n[key]]=$4; p99[key, n[key]]=$5; fx[key]+=$6 }
  function stats(a, key, m,   i, j, t, v) { for (i=1;i<=m;i++) v[i]=a[key, i]; for (i=1;i<=m;i++) for (j=i+1;j<=m;j++) if (v[j]<v[i]) {t=v[i]; v[i]=v[j]; v[j]=t}; return v[int((m+1)/2)] "|" v[1] "|" v[m] }
  END { for (x=1; x<=k; x++) { key=order[x]; split(key, kn, "|"); m=n[key]
    split(stats(rps, key, m), r, "|"); split(stats(p50, key, m), a, "|"); split(stats(p99, key, m), p, "|")
    printf "| %s | %s | %.0f (%.0f–%.0f) | %.2f | %.1f (%.1f–%.1f) | %d |\n", kn[1], kn[2], r[1], r[2], r[3], a[1], p[1], p[2], p[3], fx[key] } }' "$work/results"
