#!/usr/bin/env bash
# run-case.sh -- one e2e update case: starts CASE/v1 on 127.0.0.1, takes its dump over a client
# connection, runs `ttst-ctl update $TTST_E2E_UPDATE_OPTS PID TARGET` (validated unless that says
# --no-validate), then dumps again on the same
# connection and compares.  CASE/case.conf sets:
#   expect=commit        the update must commit; v2 must answer "VERSION v2" under the new pid and
#                        its dump (recomputed from the transferred state) must equal v1's
#   expect=refuse        ttst-ctl must exit with $rc and print a message matching the ERE $msg;
#                        v1 must still serve under the same pid with the same dump
#   target=FILE          the new binary, relative to OUT/CASE (default v2; ../plain, ../abi)
#   base=CASE            use CASE's binaries (a refusal case made of case.conf only)
# Run under `updtool reap` (a committed v2 outlives its parent v1); every process is killed by pid.
# usage: run-case.sh OUT_DIR CASE TTST_CTL
set -u
[ $# -eq 3 ] || { echo "usage: $0 OUT_DIR CASE TTST_CTL" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
out=$1 case=$2 ctl=$3
expect=commit target=v2 rc=1 msg= base=
# shellcheck source=/dev/null
. "$here/$case/case.conf"
bin=$out/${base:-$case}
tmp=$(mktemp -d /tmp/ttst-e2e-XXXXXX)
mkdir -m 700 "$tmp/run"
export TTST_RUNDIR=$tmp/run TTST_OPTIONS=log_level=error
pids=()
conn=
cleanup() {
	[ -n "$conn" ] && exec {conn}>&-
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "e2e $case: FAIL: $*" >&2
	[ -s "$tmp/server.out" ] && sed 's/^/  server: /' "$tmp/server.out" >&2
	exit 1
}

# ask CMD: sends CMD on the kept connection; prints the answer (the lines up to END for dump).
ask() {
	local line n=0
	printf '%s\n' "$1" >&"$conn" || fail "cannot send '$1'"
	while IFS= read -r -t 5 line <&"$conn"; do
		echo "$line"
		[ "$1" = dump ] || return 0
		[ "$line" = END ] && return 0
		n=$((n + 1))
		[ $n -lt 100000 ] || break
	done
	fail "no complete answer to '$1'"
}

"$bin/v1" "$tmp/port" >"$tmp/server.out" 2>&1 &
pid=$!
pids+=("$pid")
for _ in $(seq 250); do
	[ -s "$tmp/port" ] && break
	kill -0 "$pid" 2>/dev/null || fail "v1 exited before listening"
	sleep 0.02
done
[ -s "$tmp/port" ] || fail "v1 did not write its port file in 5 s"
port=$(cat "$tmp/port")
exec {conn}<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to 127.0.0.1:$port"
[ "$(ask version)" = "VERSION v1" ] || fail "v1 does not say VERSION v1"
ask dump >"$tmp/before" || exit 1
grep -q '^FAIL' "$tmp/before" && fail "v1's own invariants fail: $(grep '^FAIL' "$tmp/before")"

start=$(date +%s%3N)
"$ctl" update --json ${TTST_E2E_UPDATE_OPTS-} "$pid" "$bin/$target" >"$tmp/update" 2>"$tmp/update.err"
got=$?
ms=$(($(date +%s%3N) - start)); [ -n "${TTST_E2E_SHOW-}" ] && cat "$tmp/update" "$tmp/update.err" >&2
new=$(sed -n 's/.*"type":"result".*"new_pid":\([0-9]*\).*/\1/p' "$tmp/update")
[ -n "$new" ] && [ "$new" != 0 ] && [ "$new" != "$pid" ] && pids+=("$new")

if [ "$expect" = commit ]; then
	[ "$got" = 0 ] || fail "update exited $got, expected 0: $(cat "$tmp/update" "$tmp/update.err")"
	[ -n "$new" ] && kill -0 "$new" 2>/dev/null || fail "no running new pid after commit"
	want="VERSION v2" now=$new
else
	[ "$got" = "$rc" ] || fail "update exited $got, expected $rc: $(cat "$tmp/update" "$tmp/update.err")"
	grep -Eq -- "$msg" "$tmp/update" "$tmp/update.err" ||
		fail "message does not match /$msg/: $(cat "$tmp/update" "$tmp/update.err")"
	kill -0 "$pid" 2>/dev/null || fail "v1 (pid $pid) is gone after the refusal"
	want="VERSION v1" now=$pid
fi
[ "$(ask version)" = "$want" ] || fail "the server (pid $now) does not say $want on the kept connection"
ask dump >"$tmp/after" || exit 1
exec {c2}<>"/dev/tcp/127.0.0.1/$port" || fail "no new connection to 127.0.0.1:$port after the update"
printf 'version\n' >&"$c2" && IFS= read -r -t 5 line <&"$c2" && [ "$line" = "$want" ] ||
	fail "a new connection does not get '$want' after the update"
exec {c2}>&-
diff -u "$tmp/before" "$tmp/after" >"$tmp/diff" || fail "state differs after the update:
$(head -40 "$tmp/diff")"
lines=$(($(wc -l <"$tmp/before") - 1))
if [ "$expect" = commit ]; then
	echo "e2e $case: ok: committed in $ms ms, pid $pid -> $new, $lines dump lines equal"
else
	echo "e2e $case: ok: refused (exit $got) in $ms ms: $(grep -Eh -- "$msg" "$tmp/update" "$tmp/update.err" | head -1)"
fi
