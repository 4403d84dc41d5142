#!/usr/bin/env bash
# Cold A/B runs of `hcs match`: two or more builds alternated on the same
# input, each run after a pause, so that the memory a run touches is as
# fresh as in a one-off run (on a virtual machine, memory freed a moment
# ago by the previous run is cheaper to touch again). Prints, per build,
# the minimum, median and maximum wall time and the median CPU time
# (user + system), from GNU time. Checks nothing about the output: use
# bench/match.sh for the comparison with Python.
# Usage: bench/match-ab.sh RUNS DATA-DIR BINARY...
#   e.g. bench/match-ab.sh 8 bench/data/200000x10-10000-shaped /tmp/hcs-before ./bin/hcs
# Environment: PAUSE, seconds before each run (default 5).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,12p' "$0"; exit 2; }
runs=$1 dir=$2; shift 2
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 1; }
out=$(mktemp); trap 'rm -f "$out" "$out.csv"' EXIT
for _ in $(seq "$runs"); do
  for bin in "$@"; do
    sleep "${PAUSE:-5}"
    /usr/bin/time -f "$bin %e %U %S" -a -o "$out" "$bin" match --posts "$dir/posts.csv" \
      --applicants "$dir/applicants.csv" --rankings "$dir/rankings.csv" --out "$out.csv" 2>/dev/null
  done
done
for bin in "$@"; do
  wall=$(awk -v b="$bin" '$1 == b {print $2}' "$out" | sort -n)
  cpu=$(awk -v b="$bin" '$1 == b {print $3 + $4}' "$out" | sort -n)
  n=$(wc -l <<<"$wall"); m=$(( (n + 1) / 2 ))
  printf "%s: wall min %s s, median %s s, max %s s; CPU median %s s (%d runs)\n" "$bin" \
    "$(head -1 <<<"$wall")" "$(sed -n "${m}p" <<<"$wall")" "$(tail -1 <<<"$wall")" "$(sed -n "${m}p" <<<"$cpu")" "$n"
done
