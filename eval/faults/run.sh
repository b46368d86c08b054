#!/usr/bin/env bash
# run.sh -- fault-injection campaign: kvstore v2 built with one compile-time fault (TTST_FAULT,
# pass/FaultInject.cpp) that fires only while v2 re-initialises and transfers state; every live
# update to it must either commit with a valid state or roll back, never commit corrupted state.
#
# For each class (branch uninit pointer overflow leak), K trials with a random candidate n (seeded,
# printed): build kvstore v2 with TTST_FAULT=<class>:<n> through the kvstore Makefile (own object
# dir), start a fresh kvstore v1 on 127.0.0.1 with KEYS keys, run the validated
# `ttst-ctl update --json --timeout 3000`, classify the outcome, kill everything by pid.
# Columns: ok (committed, `kvclient check` of every key and `v2check` pass), crash, timeout, exit
# (abnormal exit / closed channel), diff (validation found a state difference), other (v2 reported
# an error), corrupt (committed but a check failed: must be 0).
# Exit 0 when corrupt is 0 everywhere and no harness error happened, else 1 (2: usage).
# usage: run.sh [--smoke] BUILD_DIR   (K=10, smoke K=2; FAULT_TRIALS=K, FAULT_SEED=S,
#                                       FAULT_KEYS=N (10000), FAULT_CLASSES="branch leak" override)
set -euo pipefail
smoke=0
[ "${1:-}" = --smoke ] && { smoke=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--smoke] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $smoke = 1 ]; then trials=${FAULT_TRIALS:-2}; else trials=${FAULT_TRIALS:-10}; fi
seed=${FAULT_SEED:-4242}
keys=${FAULT_KEYS:-10000}
classes=${FAULT_CLASSES:-branch uninit pointer overflow leak}
cc=$build/bin/ttst-cc
ctl=$build/bin/ttst-ctl
client=$build/examples/kvstore/kvclient
for f in "$cc" "$ctl" "$client"; do
	[ -x "$f" ] || { echo "faults: $f missing; build ttst first (scripts/build.sh)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "faults: jq is needed (apt-get install jq)" >&2; exit 2; }
[ "$trials" -ge 1 ] && [ "$trials" -le 100 ] || { echo "faults: FAULT_TRIALS must be 1..100" >&2; exit 2; }
for c in $classes; do
	case $c in branch | uninit | pointer | overflow | leak) ;;
	*) echo "faults: unknown class '$c' in FAULT_CLASSES" >&2; exit 2 ;; esac
done

tmp=$(mktemp -d /tmp/ttst-eval-faults-XXXXXX)
mkdir -m 700 "$tmp/run"
export TTST_RUNDIR=$tmp/run TTST_OPTIONS=log_level=error
ulimit -c 0 # faulty versions crash on purpose: no core files
pids=()
# stop_pid P: SIGTERM, up to 5 s, then SIGKILL; reaps P when it is a child of this shell.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
stop_all() {
	local p
	for p in "${pids[@]}"; do stop_pid "$p"; done
	pids=()
}
cleanup() {
	stop_all
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "faults: harness error: $*" >&2; exit 1; }
ms() { date +%s%3N; }

# mk NAME VERSION [make variables...]: kvstore built with ttst-cc into $tmp/kvstore-NAME.
mk() {
	local n=$1 v=$2
	shift 2
	make -s -C "$top/examples/kvstore/$v" CC="$cc" CFLAGS="-O2 -g" O="$tmp/obj-$n" \
		BIN="$tmp/kvstore-$n" "$@" >"$tmp/make-$n.log" 2>&1
}
mk v1 v1 || { cat "$tmp/make-v1.log" >&2; die "building kvstore v1"; }

# start_v1: a fresh kvstore v1 on the first free port from 11911 on, KEYS keys loaded; sets pid, port.
start_v1() {
	local try p
	port=
	for try in $(seq 0 9); do
		p=$((11911 + try * 7))
		"$tmp/kvstore-v1" --port "$p" >"$tmp/out" 2>"$tmp/err" &
		pid=$!
		pids+=("$pid")
		for _ in $(seq 100); do
			grep -q '^kvstore: listening' "$tmp/out" && { port=$p; break; }
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		[ -n "$port" ] && break
		stop_all
	done
	[ -n "$port" ] || die "kvstore v1 found no free port from 11911 on: $(cat "$tmp/err")"
	"$client" --port "$port" load "$keys" >/dev/null || die "loading $keys keys into v1"
}

# classify REASON: the rollback column for a result's reason.
classify() {
	case $1 in
	*crashed* | *"was killed"*) echo crash ;;
	*timeout*) echo timeout ;;
	*"exited with status"* | *"closed the update channel"*) echo exit ;;
	*"validation failed"*) echo diff ;;
	*) echo other ;;
	esac
}

# trial CLASS N: one faulty build and update; prints a row and sets col (the outcome column).
trial() {
	local c=$1 n=$2 name=$1-$2 rc=0 res outcome reason where
	col=
	TTST_FAULT=$c:$n mk "$name" v2 || { cat "$tmp/make-$name.log" >&2; die "building kvstore v2 with TTST_FAULT=$c:$n"; }
	where=$(sed -n 's/^ttst: fault //p' "$tmp/make-$name.log" | sed 's/^[a-z]*#[0-9]* at //' | paste -sd ' ' | cut -c1-60)
	start_v1
	"$ctl" update --json --timeout 3000 "$pid" "$tmp/kvstore-$name" >"$tmp/update.json" 2>"$tmp/update.err" || rc=$?
	res=$(jq -c 'select(.type == "result")' "$tmp/update.json" 2>/dev/null || true)
	outcome=$(jq -r '.outcome // "none"' <<<"${res:-{\}}")
	reason=$(jq -r '.reason // ""' <<<"${res:-{\}}")
	if [ "$rc" = 0 ] && [ "$outcome" = committed ]; then
		pids+=("$(jq -r .new_pid <<<"$res")")
		if "$client" --port "$port" check "$keys" >"$tmp/check" 2>&1 &&
			"$client" --port "$port" v2check >>"$tmp/check" 2>&1; then col=ok; else
			col=corrupt reason="committed, but: $(tail -n 2 "$tmp/check" | paste -sd ' ')"; fi
	elif [ "$rc" = 1 ] && [ -n "$res" ] && [ "$outcome" != committed ]; then
		col=$(classify "$reason")
		kill -0 "$pid" 2>/dev/null || die "$c:$n: v1 (pid $pid) died after the rollback"
		"$client" --port "$port" check "$keys" >"$tmp/check" 2>&1 ||
			die "$c:$n: v1 lost keys after the rollback: $(tail -n 2 "$tmp/check")"
	else
		cat "$tmp/update.json" "$tmp/update.err" >&2
		die "$c:$n: ttst-ctl update exited $rc with outcome $outcome"
	fi
	printf '%-9s %6s  %-8s %s  %s\n' "$c" "$n" "$col" "${where:-?}" "$(cut -c1-90 <<<"$reason")"
	stop_all
}

cols="ok crash timeout exit diff other corrupt"
declare -A count
echo "faults: seed $seed, $trials trial(s) per class, $keys keys, kvstore v1 -> faulty v2"
printf '\n%-9s %6s  %-8s %s  %s\n' class n outcome "fault at" reason
RANDOM=$seed
t0=$(ms)
for c in $classes; do
	for col in $cols; do count[$c.$col]=0; done
	for _ in $(seq "$trials"); do
		trial "$c" "$RANDOM"
		count[$c.$col]=$((count[$c.$col] + 1))
	done
done

printf '\n%-9s' class
for col in $cols; do printf ' %7s' "$col"; done
echo
corrupt=0
for c in $classes; do
	printf '%-9s' "$c"
	for col in $cols; do printf ' %7s' "${count[$c.$col]}"; done
	echo
	corrupt=$((corrupt + count[$c.corrupt]))
done
echo
[ "$corrupt" = 0 ] || { echo "faults: FAIL: $corrupt update(s) committed corrupted state" >&2; exit 1; }
echo "faults: OK -- $(echo $classes | wc -w) classes x $trials trials in $(( $(ms) - t0 )) ms, 0 committed corrupted"
