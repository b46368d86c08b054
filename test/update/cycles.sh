#!/usr/bin/env bash
# cycles.sh -- 20 update/rollback cycles (v2 crashes, exits, its transfer is refused, in turn)
# leave v1 exactly as it was: descriptor count, no child or zombie, resident memory, run
# directory, and the client connection with its state.
# usage: cycles.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

start_v1 v1
connect
expect_reply inc count=1
fds0=$(nfds "$pid")
variants=(crash exit xfail)
for i in $(seq 20); do
	v=${variants[$((i % 3))]}
	update --no-validate "$pid" "$bin/echosrv-$v"
	[ "$rc" -eq 1 ] || fail "cycle $i ($v): exit $rc: $out"
	expect_reply inc "count=$((i + 1))"
	[ "$(nchildren "$pid")" -eq 0 ] || fail "cycle $i ($v): v1 has children (zombies?)"
	[ "$(nfds "$pid")" -eq "$fds0" ] || fail "cycle $i ($v): $(nfds "$pid") fds, $fds0 before"
	[ "$i" -eq 3 ] && rss3=$(rss "$pid")
done
rss20=$(rss "$pid")
[ $((rss20 - rss3)) -lt 1024 ] || fail "VmRSS grew from $rss3 kB (cycle 3) to $rss20 kB (cycle 20)"
[ "$(ls "$TTST_RUNDIR")" = "$pid.sock" ] || fail "run directory: $(ls "$TTST_RUNDIR")"
say "OK: 20 rollbacks; $fds0 descriptors, no children, VmRSS $rss3 -> $rss20 kB"
