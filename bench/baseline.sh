#!/usr/bin/env bash
# Build hcs as it was at an earlier commit, for a benchmark's baseline
# measured in the same run: bench/baseline.sh COMMIT prints the binary's
# path (bench/data/hcs-COMMIT), building it once in a temporary worktree.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse --short "${1:?usage: bench/baseline.sh COMMIT}")
bin=$PWD/bench/data/hcs-$commit
if [ ! -x "$bin" ]; then
  mkdir -p bench/data
  tree=$(mktemp -d)
  git worktree add --detach -q "$tree" "$commit"
  trap 'git worktree remove --force "$tree"' EXIT
  ln -s "$PWD/node_modules" "$tree/node_modules"
  (cd "$tree" && node tools/build-assets.mjs >/dev/null && go build -o "$bin" ./cmd/hcs) >&2
fi
echo "$bin"
