#!/usr/bin/env bash
# cycles.sh -- 50 validated update/rollback cycles leave v1 exactly as it was: v2 crashes, exits,
# its transfer is refused, or its transfer callback writes a wrong value that only validation
# (v1 -> v2 -> v1' compared with v1) catches, in turn.  After every cycle: the kept client
# connection with its state, the descriptor count, no child or zombie (v2 and v1' reaped), and
# over the run resident memory and the run directory unchanged.
# usage: cycles.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/../update/common.sh"

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

start_v1 v1
connect
expect_reply inc count=1
fds0=$(nfds "$pid")
variants=(crash exit xfail diff)
ndiff=0
for i in $(seq 50); do
	v=${variants[$((i % 4))]}
	update "$pid" "$bin/echosrv-$v"
	[ "$rc" -eq 1 ] || fail "cycle $i ($v): exit $rc: $out"
	if [ "$v" = diff ]; then
		grep -q "echosrv.c:g_count" <<<"$out" || fail "cycle $i: difference not named: $out"
		ndiff=$((ndiff + 1))
	fi
	expect_reply inc "count=$((i + 1))"
	[ "$(nchildren "$pid")" -eq 0 ] || fail "cycle $i ($v): v1 has children (zombies?)"
	[ "$(nfds "$pid")" -eq "$fds0" ] || fail "cycle $i ($v): $(nfds "$pid") fds, $fds0 before"
	[ "$i" -eq 4 ] && rss4=$(rss "$pid")
done
rss50=$(rss "$pid")
[ $((rss50 - rss4)) -lt 1024 ] || fail "VmRSS grew from $rss4 kB (cycle 4) to $rss50 kB (cycle 50)"
[ "$(ls "$TTST_RUNDIR")" = "$pid.sock" ] || fail "run directory: $(ls "$TTST_RUNDIR")"
say "OK: 50 validated rollbacks ($ndiff caught by validation); $fds0 descriptors, no children, VmRSS $rss4 -> $rss50 kB"
