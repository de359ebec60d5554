#!/usr/bin/env bash
# Measures `quire compile` for generated pipelines of N jobs (default: 1 and
# 100) in three states:
#   cold    empty Go build cache and empty quire cache (modules stay in the
#           module cache: quire compiles offline)
#   warm    Go build cache warm, quire cache cleared: evaluate ci.fnl,
#           generate, go build (only the generated package compiles)
#   cached  nothing changed: quire copies the cached binary
# Usage: bench/compile.sh [--reps R] [--smoke] [N…]
#   --reps R  cold and warm are the median of R compiles (default 1), cached
#             the median of 10×R
#   --smoke   a quick check that the script works: no cold compile (the
#             column says "skipped"), the warm one uses the caller's Go build
#             cache, one repetition, cached the median of 2
# Run from anywhere; needs go, and fennel as `make` installs it. Prints a
# Markdown table (for bench/README.md and bench/RESULTS.md) whose cells also
# say how each figure grows against the first N.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
reps=1 smoke=
sizes=()
while [ $# -gt 0 ]; do
	case $1 in
	--reps) reps=$2; shift 2 ;;
	--smoke) smoke=1; shift ;;
	-*) echo "usage: bench/compile.sh [--reps R] [--smoke] [N…]" >&2; exit 2 ;;
	*) sizes+=("$1"); shift ;;
	esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100)
cached_runs=$((10 * reps))
[ -z "$smoke" ] || { reps=1 cached_runs=2; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

export QUIRE_FENNEL=${QUIRE_FENNEL:-$(cat "$root/.toolchain/fennel.path")}
export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
(cd "$root" && go build -o "$work/quire" ./cmd/quire)

# pipeline N writes a ci.fnl of N jobs, each with its own run-fn, in
# chains of ten fed by the push. Each job sits in a `do` so that the
# chunk's locals stay under Lua's limit of 200.
pipeline() {
	local n=$1 dir=$work/p$1/.quire
	mkdir -p "$dir"
	{
		echo '(local ci (require :quire.ci))'
		echo '(local common {:flags ["-v" "-race"] :env {:CGO_ENABLED "0"}})'
		for ((i = 0; i < n; i++)); do
			if ((i % 10 == 0)); then input=:quire/push; else input=:job-$((i - 1)); fi
			echo "(do (ci.job :job-$i [$input]"
			echo "  (fn [{: sh : jobs}]"
			echo "    (let [r (sh [\"go\" \"test\" (. common.flags 1) \"./pkg$i/...\"] {:env common.env})]"
			echo "      {:exit r.exit :n $i}))))"
		done
	} >"$dir/ci.fnl"
}

# us prints the time now in microseconds, without starting a process.
us() {
	local t=${EPOCHREALTIME//[.,]/}
	echo $((10#$t))
}

# ms CMD… runs CMD and prints its wall time in milliseconds (with a
# fraction). A failed compile stops the script.
ms() {
	local start end
	start=$(us)
	if ! "$@" >"$work/out" 2>&1; then
		echo "compile failed: $*" >&2
		cat "$work/out" >&2
		exit 1
	fi
	end=$(us)
	awk -v d="$((end - start))" 'BEGIN { printf "%.3f\n", d / 1000 }'
}

# median reads numbers, one a line, and prints their median.
median() {
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# cell MS FIRST UNIT formats a time and its growth against FIRST.
cell() {
	awk -v v="$1" -v f="$2" -v u="$3" 'BEGIN {
		if (u == "s") printf "%.2f s", v / 1000; else printf "%.1f ms", v
		if (f > 0) printf " (×%.1f)", v / f
	}'
}

echo "| jobs | cold | warm Go cache | cached |"
echo "|---:|---:|---:|---:|"
first_cold=0 first_warm=0 first_cached=0
for n in "${sizes[@]}"; do
	pipeline "$n"
	cd "$work/p$n"
	export QUIRE_CACHE=$work/qcache-$n
	if [ -z "$smoke" ]; then
		export GOCACHE=$work/gocache-$n
		cold=$(for ((r = 0; r < reps; r++)); do
			rm -rf "$GOCACHE" "$QUIRE_CACHE"
			ms "$work/quire" compile
		done | median)
	fi
	warm=$(for ((r = 0; r < reps; r++)); do
		rm -rf "$QUIRE_CACHE"
		ms "$work/quire" compile
	done | median)
	cached=$(for ((r = 0; r < cached_runs; r++)); do
		ms "$work/quire" compile
	done | median)
	[ -x ci-bin ] || { echo "no binary for $n jobs" >&2; exit 1; }
	if [ "$first_warm" = 0 ]; then
		first_cold=${cold:-0} first_warm=$warm first_cached=$cached
	fi
	if [ -z "$smoke" ]; then c=$(cell "$cold" "$first_cold" s); else c=skipped; fi
	echo "| $n | $c | $(cell "$warm" "$first_warm" s) | $(cell "$cached" "$first_cached" ms) |"
done
echo
echo "Medians: cold and warm of $reps compile(s) each, cached of $cached_runs; (×k) is the growth against ${sizes[0]} job(s)."
