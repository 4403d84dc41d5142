#!/usr/bin/env bash
# `hcs match` against the Python reference (bench/reference_match.py,
# standard library only) on the same input in the same run. Reports wall
# time and peak memory (GNU time's maximum resident set size) of each run,
# checks that every run wrote the same matches.csv as Python, and sums up
# the median and range of each figure and of the ratio, run by run.
# Ids are numeric (1, P000001), shaped (A0000123) or random (12 letters and
# digits); with shaped or random ids the rows come in no id order.
# Usage: bench/match.sh [applicants] [posts] [prefs] [numeric|shaped|random]
# Environment: RUNS (default 3) runs of each; PYTHON_RUNS (default RUNS)
# runs of Python, which takes minutes at a million applicants.
set -euo pipefail
cd "$(dirname "$0")/.."
nA=${1:-1000000}; nP=${2:-50000}; nL=${3:-10}; ids=${4:-numeric}
runs=${RUNS:-3}; pyruns=${PYTHON_RUNS:-$runs}
dir=bench/data/${nA}x${nL}-${nP}-${ids}
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)"; exit 1; }
if [ ! -f "$dir/rankings.csv" ]; then
  echo "generating $dir"
  go run ./bench/matchgen -applicants "$nA" -posts "$nP" -prefs "$nL" -ids "$ids" -out "$dir"
fi
echo "input: $nA applicants x $nL preferences over $nP posts, $ids ids; $(du -cm "$dir"/posts.csv "$dir"/applicants.csv "$dir"/rankings.csv | tail -1 | cut -f1) MB"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(python3 --version); load average $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME command...: one run; prints "seconds MiB".
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/$name.time" "$@" >/dev/null 2>"$dir/$name.err" || { cat "$dir/$name.err"; exit 1; }
  awk '{printf "%.2f %.0f\n", $1, $2/1024}' "$dir/$name.time"
}
hcs=(); py=()
for i in $(seq "$runs"); do
  hcs+=("$(measure hcs ./bin/hcs match --posts "$dir/posts.csv" --applicants "$dir/applicants.csv" --rankings "$dir/rankings.csv" --out "$dir/hcs.csv")")
  if [ "$i" -le "$pyruns" ]; then
    py+=("$(measure python python3 bench/reference_match.py "$dir/posts.csv" "$dir/applicants.csv" "$dir/rankings.csv" "$dir/python.csv")")
  fi
  cmp -s "$dir/hcs.csv" "$dir/python.csv" || { echo "run $i: the matches.csv files DIFFER"; exit 1; }
  printf "  run %d: hcs %s s, %s MiB" "$i" ${hcs[-1]}
  [ "$i" -le "$pyruns" ] && printf "; python %s s, %s MiB" ${py[-1]}
  echo
done
echo "every run's matches.csv is identical to Python's"
printf '%s\n' "${hcs[@]}" > "$dir/hcs.runs"; printf '%s\n' "${py[@]}" > "$dir/python.runs"
awk 'FNR==NR {hw[FNR]=$1; hm[FNR]=$2; n=FNR; next} {pw[FNR]=$1; pm[FNR]=$2; m=FNR}
  function med(a, k,   i, j, t, v) { for (i=1;i<=k;i++) v[i]=a[i]; for (i=1;i<=k;i++) for (j=i+1;j<=k;j++) if (v[j]<v[i]) {t=v[i]; v[i]=v[j]; v[j]=t}; lo=v[1]; hi=v[k]; return v[int((k+1)/2)] }
  END {
    w=med(hw, n); printf "hcs:    wall %.2f s (%.2f-%.2f), peak memory %d MiB", w, lo, hi, med(hm, n); printf " (%d-%d)\n", lo, hi
    pw_=med(pw, m); printf "python: wall %.2f s (%.2f-%.2f), peak memory %d MiB\n", pw_, lo, hi, med(pm, m)
    for (i=1;i<=m;i++) r[i]=pw[i]/hw[i]; rr=med(r, m); printf "python / hcs, run by run: %.1fx (%.1f-%.1fx)\n", rr, lo, hi
  }' "$dir/hcs.runs" "$dir/python.runs"
