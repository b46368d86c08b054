#!/usr/bin/env bash
# rollback.sh -- every failure of v2 before commit rolls back and v1 serves on, same connection and
# state: v2 aborts / exits(1) in re-initialisation, never reaches its update point (--timeout),
# aborts after forking a child (which must die too), its transfer is refused (a static whose
# type became a pointer); --json events and result; a
# second update while one runs is refused; STATUS records the last rollback.
# usage: rollback.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

start_v1 v1
connect
expect_reply inc count=1
expect_reply inc count=2
fds0=$(nfds "$pid")

# check_rollback VARIANT PHASE REASON [ttst-ctl options]
check_rollback() {
	local variant=$1 phase=$2 reason=$3
	shift 3
	update --no-validate "$@" "$pid" "$bin/echosrv-$variant"
	[ "$rc" -eq 1 ] || fail "$variant: ttst-ctl update exited $rc (expected 1): $out"
	grep -qF "rolled back in $phase" <<<"$out" || fail "$variant: not rolled back in $phase: $out"
	grep -qF "$reason" <<<"$out" || fail "$variant: reason is not '$reason': $out"
	grep -qF "pid $pid still serves" <<<"$out" || fail "$variant: no 'still serves': $out"
	expect_reply get count=2
	expect_reply ver "version=v1 pid=$pid mode=7"
	[ "$(nchildren "$pid")" -eq 0 ] || fail "$variant: v1 has children left: $(nchildren "$pid")"
	say "OK: $variant rolled back in $phase: $reason"
}

check_rollback crash reinit "v2 crashed during re-initialisation: SIGABRT"
check_rollback exit reinit "v2 exited with status 1 during re-initialisation"
check_rollback hang reinit "timeout after 1500 ms in re-initialisation" --timeout 1500
check_rollback forker reinit "v2 crashed during re-initialisation: SIGABRT"
helper=$(cat "$tmp/port.helper")
gone "$helper" || fail "v2's child $helper outlived the rollback"
say "OK: v2's child (pid $helper) died with it"
check_rollback xfail transfer "transfer failed: "

[ "$(status_of "$pid" last_update)" = "rolled back" ] || fail "STATUS last_update is not 'rolled back'"
detail=$(status_of "$pid" last_update_detail)
[[ "$detail" == "transfer failed: "* ]] || fail "STATUS last_update_detail: '$detail'"
say "OK: STATUS records the rollback: $detail"

# --json: one object per line, events of the phases reached, then the result
json=$("$ctl" update --json --no-validate "$pid" "$bin/echosrv-exit")
[ $? -eq 1 ] || fail "--json rollback did not exit 1: $json"
jq -e . >/dev/null <<<"$json" || fail "--json output is not JSON lines: $json"
phases=$(jq -r 'select(.type == "event") | .phase' <<<"$json" | tr '\n' ' ')
[ "$phases" = "park spawn " ] || fail "--json events: '$phases' (expected park spawn)"
jq -e 'select(.type == "result") | .outcome == "rolled back" and .phase == "reinit" and
	(.reason | startswith("v2 exited with status 1")) and .pid == .old_pid and .new_pid > 0' \
	<<<"$json" >/dev/null || fail "--json result: $json"
say "OK: --json events and result"

# a second update while one is running is refused, the first one still rolls back
"$ctl" update --no-validate --timeout 3000 "$pid" "$bin/echosrv-hang" >"$tmp/first" 2>&1 &
first=$!
pids+=("$first")
for _ in $(seq 100); do [ "$(nchildren "$pid")" -gt 0 ] && break; sleep 0.02; done
update --no-validate "$pid" "$bin/echosrv-v2"
[ "$rc" -eq 2 ] || fail "second update exited $rc (expected 2): $out"
grep -qF "an update is already in progress" <<<"$out" || fail "second update: $out"
# v2 (hanging in its re-initialisation) refuses to be parked or updated itself
v2=
for f in /proc/[0-9]*/stat; do
	{ IFS= read -r s <"$f"; } 2>/dev/null || continue
	s=${s##*) }
	read -r _ ppid _ <<<"$s"
	[ "$ppid" = "$pid" ] && v2=${f#/proc/} && v2=${v2%/stat}
done
[ -n "$v2" ] || fail "no v2 process found under $pid"
for _ in $(seq 100); do [ -S "$TTST_RUNDIR/$v2.sock" ] && break; sleep 0.02; done
park=$("$tool" park "$v2")
grep -qF "ERROR pid $v2 is a new version being started by a live update" <<<"$park" ||
	fail "PARK of v2: $park"
update --no-validate "$v2" "$bin/echosrv-v2"
[ "$rc" -eq 2 ] && grep -qF "pid $v2 is itself a new version" <<<"$out" ||
	fail "update of v2 itself exited $rc: $out"
wait "$first"
frc=$?
[ "$frc" -eq 1 ] || fail "first update exited $frc: $(cat "$tmp/first")"
expect_reply get count=2
say "OK: a concurrent update is refused: $out"

fds=$(nfds "$pid")
[ "$fds" -eq "$fds0" ] || fail "v1 has $fds descriptors after the rollbacks, $fds0 before"
[ "$(ls "$TTST_RUNDIR")" = "$pid.sock" ] || fail "run directory: $(ls "$TTST_RUNDIR")"
say "OK: no descriptor, child or socket file left behind"
