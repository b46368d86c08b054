#!/usr/bin/env bash
# check.sh -- `ttst-ctl check PID NEW_BINARY` runs the whole validated transaction and never
# changes the serving process: same pid, state, connection, descriptor count, no child, no socket
# file left; a failing new version makes it exit 1; --json reports outcome "checked"; misuse exits 2.
# usage: check.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/../update/common.sh"

start_v1 v1
connect
expect_reply inc count=1
expect_reply inc count=2
fds0=$(nfds "$pid")
socks0=$(ls "$TTST_RUNDIR" | wc -l)

same() {
	expect_reply get count=2
	expect_reply ver "version=v1 pid=$pid mode=7"
	[ "$(nfds "$pid")" -eq "$fds0" ] || fail "$1: descriptors $(nfds "$pid"), were $fds0"
	[ "$(nchildren "$pid")" -eq 0 ] || fail "$1: v1 has children left"
	[ "$(ls "$TTST_RUNDIR" | wc -l)" -eq "$socks0" ] || fail "$1: socket files: $(ls "$TTST_RUNDIR")"
}

for i in 1 2 3; do
	out=$("$ctl" check "$pid" "$bin/echosrv-v2" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] || fail "check $i exited $rc: $out"
	grep -q "check passed in .* ms: the update validates (.* objects compared); nothing committed, pid $pid still serves" <<<"$out" ||
		fail "check $i: $out"
	same "check $i"
done
[ "$(status_of "$pid" last_update)" = checked ] || fail "STATUS: $(status_of "$pid" last_update)"
say "OK: 3 checks passed, pid $pid unchanged ($fds0 descriptors, state, connection)"

json=$("$ctl" check --json "$pid" "$bin/echosrv-v2")
[ $? -eq 0 ] || fail "check --json failed: $json"
tail -1 <<<"$json" | jq -e '.outcome == "checked" and .validated == 1 and .compared > 0 and .pid == '"$pid" >/dev/null ||
	fail "check --json result: $(tail -1 <<<"$json")"
grep -q '"phase":"validate"' <<<"$json" || fail "check --json: no validate event: $json"
same "check --json"

out=$("$ctl" check "$pid" "$bin/echosrv-crash" 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "check of a crashing v2 exited $rc: $out"
grep -qF "v2 crashed during re-initialisation: SIGABRT" <<<"$out" || fail "crash check: $out"
same "failed check"
say "OK: a failing check exits 1, pid $pid unchanged"

out=$("$ctl" check --no-validate "$pid" "$bin/echosrv-v2" 2>&1)
[ $? -eq 2 ] && grep -qF "ttst-ctl: check: --no-validate makes no sense" <<<"$out" ||
	fail "check --no-validate: $out"
out=$("$ctl" check "$pid" 2>&1)
[ $? -eq 2 ] && grep -qF "needs PID and NEW_BINARY" <<<"$out" || fail "check without binary: $out"
same "bad usage"
say "OK: check refuses --no-validate and a missing binary (exit 2)"
