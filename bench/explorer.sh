#!/usr/bin/env bash
# Load figures for docs/BENCHMARKS.md: wrk against hcs serve on 127.0.0.1,
# each endpoint beside /healthz measured on the same server in the same run.
#   cached:   the response cache on (as deployed); search rotates 16 queries,
#             so after the first round it answers from the cache.
#   uncached: hcs serve --no-response-cache; search sends the 5,000 distinct
#             queries of bench/data/queries.txt (go run ./bench/querygen), so
#             every request is searched afresh.
# Each set runs RUNS times; the table gives the median and the range.
# Usage: bench/explorer.sh [duration, default 10s] [connections, default 64] [runs, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
conns=${2:-64}
runs=${3:-3}
addr=127.0.0.1:18080
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
mkdir -p bench/data
[ -s bench/data/queries.txt ] || go run ./bench/querygen -n 5000 > bench/data/queries.txt
results=$(mktemp)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null || true; rm -f "$results"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "wrk: 2 threads, $conns connections, $duration per endpoint, $runs runs; client and server on the same machine"

# measure SET NAME wrk-args...: one wrk run, recorded as SET|NAME|run|req/s|p99 ms.
measure() {
  local set=$1 name=$2; shift 2
  local out rps p99 errors
  out=$(wrk -t2 -c"$conns" -d"$duration" --latency "$@")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  [ -z "$errors" ] || echo "  ($set $name: $errors)" >&2
  echo "$set|$name|$run|$rps|$p99" >> "$results"
}

serve() {
  ./bin/hcs serve --addr "$addr" --log-level error "$@" &
  pid=$!
  for _ in $(seq 100); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.05; done
}

for run in $(seq "$runs"); do
  serve
  measure cached "/healthz" "http://$addr/healthz"
  measure cached "/api/v1/search (16 queries in turn)" -s bench/search.lua "http://$addr"
  measure cached "/specialisms/audiology (page)" "http://$addr/specialisms/audiology"
  kill -INT $pid; wait $pid 2>/dev/null || true
  serve --no-response-cache
  measure uncached "/healthz" "http://$addr/healthz"
  measure uncached "/api/v1/search (5,000 distinct queries)" -s bench/search-distinct.lua "http://$addr"
  measure uncached "/specialisms/audiology (page)" "http://$addr/specialisms/audiology"
  kill -INT $pid; wait $pid 2>/dev/null || true
  pid=""
done

# One row per endpoint: median and range of req/s, of p99, and of the share
# of /healthz taken run by run (each run's endpoint over the same run's
# /healthz).
echo
printf "| cache | endpoint | requests/s, median (range) | p99 ms, median (range) | %% of /healthz, median (range) |\n|---|---|---|---|---|\n"
awk -F'|' '
  { key=$1 "|" $2; if (!(key in seen)) { seen[key]=1; order[++n]=key }
    rps[key, $3]=$4; p99[key, $3]=$5; if ($2 == "/healthz") base[$1, $3]=$4; runs[$3]=1 }
  function stats(arr, key,   i, m, v, t, j) {
    m=0; for (i in runs) { v[++m]=arr[key, i] }
    for (i=1;i<=m;i++) for (j=i+1;j<=m;j++) if (v[j]<v[i]) { t=v[i]; v[i]=v[j]; v[j]=t }
    return sprintf("%s|%s|%s", v[int((m+1)/2)], v[1], v[m])
  }
  END {
    for (k=1; k<=n; k++) {
      key=order[k]; split(key, kn, "|")
      for (i in runs) pct[key, i]=100*rps[key, i]/base[kn[1], i]
      split(stats(rps, key), r, "|"); split(stats(p99, key), p, "|"); split(stats(pct, key), c, "|")
      printf "| %s | %s | %.0f (%.0f–%.0f) | %.2f (%.2f–%.2f) | %.0f%% (%.0f–%.0f%%) |\n", kn[1], kn[2], r[1], r[2], r[3], p[1], p[2], p[3], c[1], c[2], c[3]
    }
  }' "$results"
echo
echo "start-up to first answered /healthz:"
go run ./bench/startup -bin ./bin/hcs -runs 20
