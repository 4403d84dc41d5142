#!/usr/bin/env bash
# The workforce import for docs/BENCHMARKS.md: a synthetic workforce of
# 60,000 staff across 200 employers with ten years of history (hcs
# workforce synth, about 125,000 assignments) imported by `hcs workforce
# import` into a fresh SQLite database and a fresh PostgreSQL database,
# RUNS times each; then the same file again, which changes nothing. The
# rate is the command's own: rows over the time from opening the file to
# the commit (reading, checking, merging and saving).
# Then the planner's dashboard on each database, with wrk on 127.0.0.1:
# distinct questions (bench/workforce.lua) of each kind in turn: the
# figures (page, CSV downloads and API), joiners and leavers, the
# forecast, and each employer's own staff. The first request after start
# makes the model and counts every quarter (cold, timed alone), and the
# runs after it read the counted cubes; the first of each kind is timed
# alone too (joiners and leavers are counted on first use). Last, the
# training pipeline, once bench/pipeline-seed.sql has put 1,800 trainees
# in training (its counts are made on the first request after a change).
# Needs wrk, curl, psql and sqlite3.
# Usage: bench/workforce.sh [duration, default 15s] [connections, default 8]
# Environment: RUNS (default 3); STAFF (60000); EMPLOYERS (200); KINDS
# (default "figures flows forecast employer pipeline": which to ask);
# HCS_BENCH_POSTGRES, a URL with rights to create databases.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-15s}
conns=${2:-8}
addr=127.0.0.1:18084
runs=${RUNS:-3}
admin_url=${HCS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
[ -x bin/hcs ] || { echo "run make build first"; exit 1; }
work=$(mktemp -d)
pgdb="hcs_workforce_$$"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  wait 2>/dev/null || true
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
bin/hcs workforce synth --out "$work" --staff "${STAFF:-60000}" --employers "${EMPLOYERS:-200}" --years 10 --seed 1 --today 2026-12-01
ls -l "$work/staff.csv" | awk '{printf "staff.csv: %.1f MB\n", $5/1048576}'
for run in $(seq "$runs"); do
  for target in sqlite postgresql; do
    if [ "$target" = sqlite ]; then
      rm -f "$work"/hcs.db*; db="$work/hcs.db"
    else
      psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null; psql "$admin_url" -qc "CREATE DATABASE $pgdb" >/dev/null
      db="${admin_url%/*}/$pgdb?sslmode=disable"
    fi
    bin/hcs migrate --db "$db" >/dev/null
    bin/hcs workforce import --db "$db" --employers "$work/employers.csv" >/dev/null
    first=$(bin/hcs workforce import --db "$db" --progress never "$work/staff.csv")
    again=$(bin/hcs workforce import --db "$db" --progress never "$work/staff.csv")
    echo "run $run $target: first ${first#*in } | again ${again#*in }"
  done
done

# The dashboard, on the last run's databases.
password=bench-$$-password
for target in "sqlite=$work/hcs.db" "postgresql=${admin_url%/*}/$pgdb?sslmode=disable"; do
  name=${target%%=*}; db=${target#*=}
  link=$(bin/hcs user create --db "$db" --email "planner-$$@example.org" --name "Bench Planner" --role workforce-planner | tail -1)
  ./bin/hcs serve --addr "$addr" --db "$db" --log-level error > "$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 600); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.05; done
  curl -fs -o /dev/null -d "password=$password&confirm=$password" "http://$addr/password-reset/${link##*/}"
  export HCS_COOKIE HCS_QUARTERS="$work/quarters"
  HCS_COOKIE=$(curl -fs -c - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"email\":\"planner-$$@example.org\",\"password\":\"$password\"}" "http://$addr/api/v1/session" | awk '$6 == "hcs_session" {print "hcs_session=" $7}')
  cold=$(curl -fs -o /dev/null -w '%{time_total}' -H "Cookie: $HCS_COOKIE" "http://$addr/workforce")
  curl -fs -H "Cookie: $HCS_COOKIE" "http://$addr/api/v1/workforce/quarters" | grep -o '"20[0-9-]*"' | tr -d '"' > "$work/quarters"
  printf "  %-10s first dashboard request (model and every quarter counted): %.2f s\n" "$name" "$cold"
  export HCS_EMPLOYERS="$work/employers"
  if [ "$name" = sqlite ]; then
    sqlite3 "$db" "SELECT organisation_id FROM workforce_employers ORDER BY code" > "$HCS_EMPLOYERS"
  else
    psql "$db" -Atc "SELECT organisation_id FROM workforce_employers ORDER BY code" > "$HCS_EMPLOYERS"
  fi
  for kind in ${KINDS:-figures flows forecast employer pipeline}; do
    export HCS_KIND=$kind
    if [ "$kind" = pipeline ]; then
      # 1,800 trainees in training (bench/pipeline-seed.sql).
      if [ "$name" = sqlite ]; then sqlite3 "$db" < bench/pipeline-seed.sql; else psql "$db" -q -f bench/pipeline-seed.sql; fi
    fi
    first=$(wrk -t1 -c1 -d1s -s bench/workforce.lua "http://$addr" | awk '/Latency/ {print $4}')
    wrk -t1 -c"$conns" -d5s -s bench/workforce.lua "http://$addr" > /dev/null # warm-up
    for i in $(seq "$runs"); do
      out=$(wrk -t1 -c"$conns" -d"$duration" --latency -s bench/workforce.lua "http://$addr")
      awk -v d="$name" -v k="$kind" -v i="$i" -v first="$first" '
        function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v/1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v } sub(/s/, "", v); return v*1000 }
        /Requests\/sec/ {rps=$2} $1=="50%" {p50=ms($2)} $1=="99%" {p99=ms($2)} /Non-2xx/ {n=$NF}
        END {printf "  %-10s %-8s run %d: %7.1f req/s  p50 %7.1f ms  p99 %7.1f ms  non-2xx %d  (first second max %s)\n", d, k, i, rps, p50, p99, n, first}' <<<"$out"
    done
  done
  kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
