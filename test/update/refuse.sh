#!/usr/bin/env bash
# refuse.sh -- bad input is refused before anything starts, with one message naming the file or
# pid, and the server is untouched (same connection, same state, no child, no recorded update):
# missing, non-executable, non-instrumented and other-ABI binaries (with and without validation),
# a bad pid file directory, bad usage, unreachable pids; and the same refusals made by the
# server itself when a raw UPDATE request skips ttst-ctl's checks.
# usage: refuse.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

start_v1 v1
connect
expect_reply inc count=1

untouched() {
	expect_reply get count=1
	[ "$(nchildren "$pid")" -eq 0 ] || fail "$1: v1 has a child process"
	[ "$(status_of "$pid" last_update)" = none ] || fail "$1: STATUS records an update"
}

# refused WANT_RC TEXT ARGS...: ttst-ctl update ARGS must exit WANT_RC saying TEXT.
refused() {
	local want=$1 text=$2
	shift 2
	update "$@"
	[ "$rc" -eq "$want" ] || fail "update $*: exit $rc (expected $want): $out"
	grep -qF -- "$text" <<<"$out" || fail "update $*: message lacks '$text': $out"
	[ "$(wc -l <<<"$out")" -eq 1 ] || fail "update $*: more than one line: $out"
	untouched "$*"
	say "OK ($rc): $out"
}

cp "$bin/echosrv-v2" "$tmp/noexec"
chmod -x "$tmp/noexec"
refused 2 "$tmp/missing: No such file" --no-validate "$pid" "$tmp/missing"
refused 2 "$tmp/noexec: not an executable file" --no-validate "$pid" "$tmp/noexec"
refused 2 "$bin/plain: no ttst_meta section" --no-validate "$pid" "$bin/plain"
refused 2 "$bin/abi: ttst_meta: TU blob at offset 0: ABI version 99" --no-validate "$pid" "$bin/abi"
refused 2 "$bin/plain: no ttst_meta section" "$pid" "$bin/plain" # validated by default
refused 2 "--pidfile $tmp/nodir/srv.pid: bad path" --no-validate --pidfile "$tmp/nodir/srv.pid" \
	"$pid" "$bin/echosrv-v2"
refused 2 "--timeout 'abc'" --timeout abc "$pid"
refused 2 "'x12' is not a process id" x12
refused 3 "pid 2147483646: no such process" --no-validate 2147483646 "$bin/echosrv-v2"
sleep 30 &
plainpid=$!
pids+=("$plainpid")
refused 3 "pid $plainpid: not instrumented by ttst" --no-validate "$plainpid" "$bin/echosrv-v2"

json=$("$ctl" update --json "$pid" "$bin/plain" 2>/dev/null)
[ $? -eq 2 ] || fail "--json refusal did not exit 2"
jq -e '.type == "error" and .exit == 2 and (.message | contains("no ttst_meta section"))' \
	<<<"$json" >/dev/null || fail "--json refusal: $json"
untouched "--json refusal"

# raw requests: the server's own checks
raw() {
	out=$("$tool" raw "$pid" "$@" 2>&1)
	untouched "raw $*"
}
raw 0 "$bin/plain" "" plain
grep -qF "ERROR $bin/plain: not instrumented by ttst (no ttst_meta section" <<<"$out" ||
	fail "raw non-instrumented binary: $out"
raw 0 "$bin/abi" "" abi
grep -qF "ERROR $bin/abi: metadata ABI version 99, but this process's runtime speaks version 1" \
	<<<"$out" || fail "raw ABI mismatch: $out"
raw 0 echosrv-v2 "" echosrv-v2
grep -qF "ERROR binary 'echosrv-v2' is not an absolute path" <<<"$out" || fail "raw relative: $out"
raw 2 "$bin/echosrv-v2" "" echosrv-v2
grep -qF "ERROR a check request must also ask for validation" <<<"$out" || fail "raw check: $out"
raw 0 "$bin/echosrv-v2" /nonexistent-dir/srv.pid echosrv-v2
grep -qF "ERROR pid file /nonexistent-dir/srv.pid: directory not writable" <<<"$out" ||
	fail "raw pid file: $out"
out=$("$tool" rawbad "$pid" 2>&1)
grep -qF "ERROR malformed UPDATE request: expected 4 NUL-terminated strings (binary, pid file, 2 arguments), got 4 bytes with 2 NULs" <<<"$out" ||
	fail "raw malformed: $out"
untouched rawbad
say "OK: the server refuses raw requests itself"
