#!/usr/bin/env bash
# run.sh [--smoke] [BENCH_DIR [TTST_CTL]] -- runs the allocator microbenchmark, glibc vs ttst in
# the same run (interleaved, median of several runs), and prints per size and operation the ratio,
# plus the resident memory of a program holding 1,000,000 objects of 32 and 64 bytes.
# --smoke: tiny counts, only checks that both variants run, print every value and that the ttst
# variant really is instrumented (used by ctest to keep the benchmark building).
# TTST_BENCH_REPS=N: N interleaved runs instead of 15 (a loaded machine needs more for stable
# medians of the large sizes, whose time is mostly page faults and system calls).
set -euo pipefail
smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/build/eval/alloc}
ctl=${2:-$top/build/bin/ttst-ctl}
plain=$dir/alloc-bench-plain ttst=$dir/alloc-bench-ttst
for b in "$plain" "$ttst"; do
	[ -x "$b" ] || { echo "run.sh: $b missing; build with cmake --build build --target alloc-bench" >&2; exit 2; }
done

reps=${TTST_BENCH_REPS:-15} pairs=10000 count=1000000 rss_reps=3
case $reps in '' | *[!0-9]* | 0) echo "run.sh: TTST_BENCH_REPS must be a positive number" >&2; exit 2 ;; esac
[ $smoke = 1 ] && reps=1 pairs=200 count=20000 rss_reps=1
tmp=$(mktemp -d /tmp/ttst-eval-alloc-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export TTST_RUNDIR=$tmp/run

# every result line becomes "<variant> <op> <size> <value>"
# glibc and ttst alternate per size and repetition, so that machine noise hits both alike
sizes="0 16 64 256 4096 65536 1048576 16777216"
for ((r = 0; r < reps; r++)); do
	for s in $sizes mmap; do
		for v in plain ttst; do
			b=$plain; [ $v = ttst ] && b=$ttst
			if [ $s = mmap ]; then
				"$b" mmap $pairs
			else
				"$b" alloc $pairs $s
			fi | sed "s/^/$v /" >>"$tmp/results"
		done
	done
done
for ((r = 0; r < rss_reps; r++)); do
	for v in plain ttst; do
		b=$plain; [ $v = ttst ] && b=$ttst
		for s in 32 64; do
			"$b" rss $count $s | awk -v v=$v '{print v, "rss_total", $2, $3; print v, "rss_growth", $2, $4}' >>"$tmp/results"
		done
	done
done

if [ $smoke = 1 ]; then
	n=$(awk '$4 ~ /^[0-9.]+$/ && $4 > 0' "$tmp/results" | wc -l)
	want=$(( (2 * 8 + 2) * 2 + 2 * 2 * 2 ))
	[ "$n" -eq "$want" ] || { echo "run.sh: smoke: $n valid values, expected $want" >&2; cat "$tmp/results" >&2; exit 1; }
	"$ctl" inspect --json "$ttst" | jq -e '[.sites[] | select(.allocator == "malloc")] | length >= 3' >/dev/null ||
		{ echo "run.sh: smoke: $ttst has no instrumented malloc sites" >&2; exit 1; }
	echo "alloc bench smoke: ok ($n values)"
	exit 0
fi

# medians per (variant, op, size), then one line per (op, size) with the ratio
sort -k1,1 -k2,2 -k3,3n -k4,4g "$tmp/results" | awk -v reps=$reps -v pairs=$pairs -v count=$count '
function flush() { if (key != "") { med[key] = vals[int((n + 1) / 2)]; } n = 0 }
{ k = $1 " " $2 " " $3; if (k != key) { flush(); key = k } vals[++n] = $4 }
END {
	flush()
	printf "TTST allocator microbenchmark: %d malloc/free pairs per size, %d mmap/munmap pairs;\n", pairs, pairs
	printf "median of %d interleaved runs; plain = glibc, ttst = instrumented sites + libttst\n\n", reps
	printf "%-8s %10s %12s %12s %7s\n", "op", "bytes", "glibc ns", "ttst ns", "ratio"
	split("malloc free", ops, " "); split("0 16 64 256 4096 65536 1048576 16777216", sz, " ")
	worst = 0
	for (o = 1; o <= 2; o++) for (s = 1; s <= 8; s++) {
		p = med["plain " ops[o] " " sz[s]]; t = med["ttst " ops[o] " " sz[s]]
		r = t / p; if (r > worst) worst = r
		printf "%-8s %10d %12.1f %12.1f %7.2f\n", ops[o], sz[s], p, t, r
	}
	split("mmap munmap", mo, " ")
	for (o = 1; o <= 2; o++) {
		p = med["plain " mo[o] " 16384"]; t = med["ttst " mo[o] " 16384"]
		printf "%-8s %10d %12.1f %12.1f %7.2f\n", mo[o], 16384, p, t, t / p
	}
	printf "\nmalloc/free: worst ratio %.2f (budget 1.15): %s\n\n", worst, worst <= 1.15 ? "within budget" : "OVER BUDGET"
	printf "resident memory holding %d objects (VmRSS, median):\n", count
	printf "%-8s %14s %14s %7s %16s %16s %7s\n", "object", "glibc kB", "ttst kB", "ratio", "glibc growth kB", "ttst growth kB", "ratio"
	for (s = 32; s <= 64; s += 32) {
		p = med["plain rss_total " s]; t = med["ttst rss_total " s]
		pg = med["plain rss_growth " s]; tg = med["ttst rss_growth " s]
		printf "%-8s %14d %14d %7.2f %16d %16d %7.2f   (budget 1.3 on total: %s)\n", s " B", p, t, t / p, pg, tg, tg / pg, t / p <= 1.3 ? "within" : "OVER"
	}
}'
