#!/usr/bin/env bash
# Start-up figures for docs/BENCHMARKS.md, this build beside a baseline
# build (default ad4ccfa) in the same run: hcs serve (SQLite) to its first
# answered /healthz, 20 start-ups each (bench/startup), and hcs match on a
# three-row input, by hyperfine.
# Usage: bench/startup.sh   Environment: BASELINE (a commit, or "none").
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${BASELINE:-ad4ccfa}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)"; exit 1; }
bins=(./bin/hcs)
[ "$baseline" != none ] && bins+=("$(bash bench/baseline.sh "$baseline")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'post_id,capacity\nP1,1\nP2,1\n' > "$work/posts.csv"
printf 'applicant_id,rank,post_id\nA1,1,P1\nA2,1,P1\nA2,2,P2\n' > "$work/applicants.csv"
printf 'post_id,rank,applicant_id\nP1,1,A2\nP1,2,A1\nP2,1,A2\n' > "$work/rankings.csv"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$work/startup" ./bench/startup
for bin in "${bins[@]}"; do
  echo "$bin serve (SQLite in a fresh folder) to first answered /healthz:"
  abs=$(realpath "$bin")
  mkdir -p "$work/serve" && (cd "$work/serve" && "$work/startup" -bin "$abs" -runs 20)
  rm -rf "$work/serve"
done
cmds=()
for bin in "${bins[@]}"; do
  cmds+=("$bin match --posts $work/posts.csv --applicants $work/applicants.csv --rankings $work/rankings.csv --out $work/m.csv")
done
hyperfine -N --warmup 3 --runs 50 "${cmds[@]}"
