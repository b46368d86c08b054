#!/usr/bin/env bash
# demo.sh -- the README's first command: build ttst and kvstore v1/v2, then update a loaded, busy kvstore live.
#
#   1. installs missing dependencies and builds ttst (scripts/build.sh; DEMO_SKIP_BUILD=1 skips it);
#   2. builds examples/kvstore v1 and v2 with ttst-cc through their own Makefiles;
#   3. starts v1 on 127.0.0.1 (the first free port from 11311 on; v2's re-initialisation binds
#      the same address and gets v1's inherited listening socket), loads DEMO_KEYS keys (100,000);
#   4. starts `kvclient hammer` on one persistent connection in the background and, while it
#      runs, `ttst-ctl update PID v2`, validated: the state v2 received is transferred back into
#      a fresh v1 (v1') and compared with v1's before the commit;
#   5. checks that the hammer saw 0 failures and no reconnect, every key (`kvclient check`), the
#      v2-only feature (`kvclient v2check`), the renamed statistics carried over, and prints the
#      update's phases, its total time with and without the validation phase, and the new pid.
# Exits non-zero on any failure; every process it starts is stopped by pid.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
keys=${DEMO_KEYS:-100000}
hammer_s=${DEMO_HAMMER_SECONDS:-6}

if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
	"$top/scripts/build.sh" >/dev/null
fi
for t in ttst-cc ttst-ctl; do
	[ -x "$build/bin/$t" ] || { echo "demo: $build/bin/$t missing; run scripts/build.sh"; exit 1; }
done
command -v jq >/dev/null || { echo "demo: jq is needed (apt-get install jq)"; exit 1; }

work=$(mktemp -d /tmp/ttst-demo.XXXXXX)
pid=
hammer=
cleanup() {
	[ -n "$hammer" ] && kill -TERM "$hammer" 2>/dev/null && wait "$hammer" 2>/dev/null
	# after a committed update the server runs under the new pid
	[ -s "$work/pidfile" ] && pid=$(cat "$work/pidfile")
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: FAIL: $*"; exit 1; }
ms() { date +%s%3N; }

step "build kvstore v1 and v2 with ttst-cc"
for v in v1 v2; do
	make -s -C "$top/examples/kvstore/$v" CC="$build/bin/ttst-cc" CFLAGS="-O2 -g" \
		O="$work/obj-$v" BIN="$work/kvstore-$v" >/dev/null
	ls -l "$work/kvstore-$v" | awk '{print "   ", $5, "bytes", $9}'
done
client=$build/examples/kvstore/kvclient
[ -x "$client" ] || make -s -C "$top/examples/kvstore" kvclient O="$work" >/dev/null
[ -x "$client" ] || client=$top/examples/kvstore/kvclient
kv() { "$client" --port "$port" "$@"; }

step "start kvstore v1 on 127.0.0.1"
export TTST_RUNDIR="$work/run"
port=
for try in 0 1 2 3 4 5 6 7 8 9; do
	p=$((11311 + try * 7))
	"$work/kvstore-v1" --port "$p" >"$work/out" 2>"$work/err" &
	pid=$!
	for _ in $(seq 50); do
		grep -q '^kvstore: listening' "$work/out" && { port=$p; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$port" ] && break
	kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	pid=
done
[ -n "$port" ] || { cat "$work/err"; fail "kvstore v1 found no free port from 11311 on"; }
echo "$pid" >"$work/pidfile"
echo "    pid $pid, port $port"

step "load $keys keys"
t0=$(ms)
kv load "$keys" | sed 's/^/    /'
echo "    $(( $(ms) - t0 )) ms"
sets_v1=$(kv stats | awk '$1 == "cmd_set" {print $2}')

step "update v1 -> v2 live while a client hammers it for ${hammer_s} s"
kv hammer --seconds "$hammer_s" --keys "$keys" >"$work/hammer" 2>&1 &
hammer=$!
sleep 1.5
t0=$(ms)
rc=0
"$build/bin/ttst-ctl" update --json --pidfile "$work/pidfile" "$pid" "$work/kvstore-v2" \
	>"$work/update.json" 2>"$work/update.err" || rc=$?
t1=$(ms)
jq -r 'select(.type == "event") | "    \(.phase | . + "         " | .[0:10]) \(.phase_ms | tostring | "     " + . | .[-5:]) ms  \(.detail)"' \
	"$work/update.json" || true
cat "$work/update.err"
[ "$rc" = 0 ] || fail "ttst-ctl update exited $rc (v1 still serves as pid $pid)"
result=$(jq -c 'select(.type == "result")' "$work/update.json")
[ "$(jq -r .outcome <<<"$result")" = committed ] || fail "update not committed: $result"
[ "$(jq -r .validated <<<"$result")" = 1 ] || fail "update not validated: $result"
newpid=$(jq -r .new_pid <<<"$result")
[ "$(cat "$work/pidfile")" = "$newpid" ] || fail "pid file not rewritten to $newpid"
pid=$newpid
kill -0 "$pid" 2>/dev/null || fail "new pid $pid is not running"
kill -0 "$(jq -r .old_pid <<<"$result")" 2>/dev/null && fail "old pid still running after commit"
hrc=0
wait "$hammer" || hrc=$?
hammer=
sed 's/^/    /' "$work/hammer"
grep -q 'failures=0 reconnects=0' "$work/hammer" && [ "$hrc" = 0 ] ||
	fail "the client saw failures or reconnected across the update"

step "check every key and the v2-only feature"
kv check "$keys" | sed 's/^/    /'
kv v2check --keys "$keys" | sed 's/^/    /'
sets_v2=$(kv stats | awk '$1 == "cmd_set" {print $2}')
[ "${sets_v2:-0}" -ge "${sets_v1:-1}" ] ||
	fail "cmd_set went from $sets_v1 to $sets_v2: g_stats was not carried over to g_server_stats"
echo "    stats carried over (renamed g_stats -> g_server_stats): cmd_set $sets_v1 before, $sets_v2 now"

echo
jq -r '"demo: OK -- \(.objects) objects (\(.bytes) bytes, \(.pointers) pointers, \(.transforms) transformed members) " +
	"moved to v2 in \(.total_ms) ms (" + ([.phases_ms | to_entries[] | "\(.key) \(.value)"] | join(", ")) +
	" ms); pid \(.old_pid) -> \(.new_pid)"' <<<"$result"
jq -r '"demo: validated: \(.compared) objects equal after v1 -> v2 -> v1\u0027; update \(.total_ms) ms validated, " +
	"\(.total_ms - .phases_ms.validate) ms of it without the validation phase (ratio " +
	"\(if .total_ms > .phases_ms.validate then (.total_ms / (.total_ms - .phases_ms.validate) * 100 | round / 100) else "n/a" end))"' \
	<<<"$result"
echo "demo: ttst-ctl update took $((t1 - t0)) ms wall clock; $keys keys checked, client: 0 failures, 0 reconnects"
