#!/usr/bin/env bash
# Runs quire's benchmarks and writes bench/RESULTS.md: start-up against the
# interpreting baseline and the floor, per-job overhead against GNU make,
# go-task and the floor, parallel speedup, binary size and peak memory, and
# compile times (bench/compile.sh). See bench/README.md.
# Usage: bench/bench.sh [--smoke] [--reps R] [--only SECTIONS] [--out FILE] [--keep] [--no-task-install]
# Needs go, git and Fennel as `make` installs it; uses GNU make and
# /usr/bin/time when present, and installs go-task into bench/.tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export QUIRE_FENNEL=${QUIRE_FENNEL:-$(cat "$root/.toolchain/fennel.path" 2>/dev/null || true)}
exec go run ./bench/cmd/bench --root "$root" "$@"
