#!/usr/bin/env bash
# threads.sh -- a multi-threaded server: v1's ticker thread parks at its own update point (or in
# nanosleep); v2's ticker runs its start-up (a blocking read, main waiting on a condition
# variable) during re-initialisation without parking, then parks at its update point until the
# transfer is done.  The commit keeps the connection and the ticker's count, which goes on.
# usage: threads.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

ticks() {
	req ticks
	[[ "$reply" == ticks=* ]] || fail "ticks answered '$reply'"
	echo "${reply#ticks=}"
}

start_v1 mt1
connect
expect_reply inc count=1
sleep 0.2
t1=$(ticks)
[ "$t1" -gt 0 ] || fail "the ticker does not tick in v1"
update --no-validate "$pid" "$bin/echosrv-mt2"
[ "$rc" -eq 0 ] || fail "update mt1 -> mt2 exited $rc: $out"
new=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
pids+=("$new")
grep -qE "^  park .* 2 threads quiescent" <<<"$out" || fail "v1 did not park 2 threads: $out"
t2=$(ticks)
[ "$t2" -ge "$t1" ] || fail "the ticker's count went back from $t1 to $t2: not transferred"
sleep 0.2
t3=$(ticks)
[ "$t3" -gt "$t2" ] || fail "v2's ticker does not run after the commit ($t2 -> $t3)"
expect_reply inc count=2
expect_reply ver "version=mt2 pid=$new mode=7"
ntasks=$(ls "/proc/$new/task" | wc -l)
[ "$ntasks" -eq 3 ] || fail "v2 has $ntasks threads (main, ticker, control expected)"
say "OK: 2 threads parked, ticks $t1 -> $t2 -> $t3 across the update, pid $pid -> $new"
