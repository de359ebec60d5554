#!/usr/bin/env bash
# Measures `quire compile` for generated pipelines of N jobs (default: 1 and
# 100) in three states:
#   cold    empty Go build cache and empty quire cache (modules stay in the
#           module cache: quire compiles offline)
#   warm    Go build cache warm, quire cache cleared: evaluate ci.fnl,
#           generate, go build (only the generated package compiles)
#   cached  nothing changed: quire copies the cached binary
# Usage: bench/compile.sh [N…]     (run from anywhere; needs go, and fennel
# as `make` installs it). Prints a Markdown table for bench/README.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 100)

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

# ms CMD… runs CMD and prints its wall time in milliseconds.
ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null 2>&1
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

echo "| jobs | cold | warm Go cache | cached (mean of 10) |"
echo "|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
	pipeline "$n"
	cd "$work/p$n"
	export GOCACHE=$work/gocache-$n QUIRE_CACHE=$work/qcache-$n
	rm -rf "$GOCACHE" "$QUIRE_CACHE"
	cold=$(ms "$work/quire" compile)
	rm -rf "$QUIRE_CACHE"
	warm=$(ms "$work/quire" compile)
	total=0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		total=$((total + $(ms "$work/quire" compile)))
	done
	[ -x ci-bin ] || { echo "no binary for $n jobs" >&2; exit 1; }
	awk -v n="$n" -v c="$cold" -v w="$warm" -v h="$((total / 10))" \
		'BEGIN { printf "| %d | %.1f s | %.2f s | %d ms |\n", n, c / 1000, w / 1000, h }'
done
