#!/usr/bin/env bash
# Lighthouse (mobile, simulated slow 4G and a slowed CPU) on the explorer's
# main page types, three runs each, for docs/BENCHMARKS.md: prints each
# category's median per page. The server is bin/hcs with the demo data, on
# 127.0.0.1, in a temporary folder.
# Usage: bench/lighthouse.sh [runs, default 3]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
addr=127.0.0.1:18091
chromium=${CHROMIUM:-/usr/bin/chromium}
tmp=$(mktemp -d)
./bin/hcs serve --addr "$addr" --demo --db "$tmp/hcs.db" --log-level error >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -fs "http://$addr/healthz" >/dev/null && break; sleep 0.1; done

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "lighthouse $(node node_modules/lighthouse/cli/index.js --version), $($chromium --version | head -1), mobile defaults, median of $runs runs"
printf "| page | performance | accessibility | best practices | SEO | LCP (median) | CLS (median) |\n|---|---|---|---|---|---|---|\n"
for page in / /specialisms/cardiac-science "/search?q=heart" "/compare?ids=audiology,genomics,radiotherapy-physics" /quiz; do
  for i in $(seq "$runs"); do
    CHROME_PATH=$chromium node node_modules/lighthouse/cli/index.js "http://$addr$page" --quiet --output=json \
      --output-path="$tmp/run-$i.json" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --user-data-dir=$tmp/profile-$i"
  done
  PAGE="$page" node -e '
    const fs = require("fs");
    const reports = process.argv.slice(2).map(f => JSON.parse(fs.readFileSync(f)));
    const median = xs => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cat = c => Math.round(100 * median(reports.map(r => r.categories[c].score)));
    const audit = a => median(reports.map(r => r.audits[a].numericValue));
    console.log(`| ${process.env.PAGE} | ${cat("performance")} | ${cat("accessibility")} | ${cat("best-practices")} | ${cat("seo")} | ${(audit("largest-contentful-paint") / 1000).toFixed(1)} s | ${audit("cumulative-layout-shift").toFixed(3)} |`);
  ' $(for i in $(seq "$runs"); do echo "$tmp/run-$i.json"; done)
done
