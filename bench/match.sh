#!/usr/bin/env bash
# `hcs match` at national scale against the Python reference, in one run:
# 1,000,000 applicants with 10 preferences each over 50,000 posts. Reports
# wall time and peak memory (GNU time's maximum resident set size) and
# checks that both wrote the same matches.csv.
# Ids are numeric (1, P000001), shaped (A0000123) or random (12 letters and
# digits); with shaped or random ids the rows come in no id order.
# Usage: bench/match.sh [applicants] [posts] [prefs] [numeric|shaped|random]
set -euo pipefail
cd "$(dirname "$0")/.."
nA=${1:-1000000}; nP=${2:-50000}; nL=${3:-10}; ids=${4:-numeric}
dir=bench/data/${nA}x${nL}-${nP}-${ids}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 1; }
if [ ! -f "$dir/rankings.csv" ]; then
  echo "generating $dir"
  go run ./bench/matchgen -applicants "$nA" -posts "$nP" -prefs "$nL" -ids "$ids" -out "$dir"
fi
ls -l "$dir"/*.csv | awk '{printf "  %s %d MB\n", $9, $5/1048576}'
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(python3 --version)"

measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" 2> "$dir/$name.time" >/dev/null || { cat "$dir/$name.time"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$dir/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MiB", $2/1024}' "$dir/$name.time")
  printf "  %-10s wall %s, peak memory %s\n" "$name" "$wall" "$rss"
  grep -E "^matched" "$dir/$name.time" | sed 's/^/             /'
}
echo "runs:"
measure hcs ./bin/hcs match --posts "$dir/posts.csv" --applicants "$dir/applicants.csv" --rankings "$dir/rankings.csv" --out "$dir/hcs.csv" --report "$dir/hcs-report.json"
measure python python3 bench/reference_match.py "$dir/posts.csv" "$dir/applicants.csv" "$dir/rankings.csv" "$dir/python.csv"
if cmp -s "$dir/hcs.csv" "$dir/python.csv"; then echo "the two matches.csv files are identical"; else echo "the outputs DIFFER"; exit 1; fi
