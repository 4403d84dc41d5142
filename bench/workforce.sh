#!/usr/bin/env bash
# The workforce import for docs/BENCHMARKS.md: a synthetic workforce of
# 60,000 staff across 200 employers with ten years of history (hcs
# workforce synth, about 125,000 assignments) imported by `hcs workforce
# import` into a fresh SQLite database and a fresh PostgreSQL database,
# RUNS times each; then the same file again, which changes nothing. The
# rate is the command's own: rows over the time from opening the file to
# the commit (reading, checking, merging and saving).
# Usage: bench/workforce.sh
# Environment: RUNS (default 3); STAFF (60000); EMPLOYERS (200);
# HCS_BENCH_POSTGRES, a URL with rights to create databases.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
admin_url=${HCS_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
[ -x bin/hcs ] || { echo "run make build first"; exit 1; }
work=$(mktemp -d)
pgdb="hcs_workforce_$$"
cleanup() {
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
