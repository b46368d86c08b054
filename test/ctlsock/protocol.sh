#!/usr/bin/env bash
# protocol.sh CTLSRV CTLRAW TTST-CTL -- malformed requests get an error and leave the server serving;
# a half frame does not block other clients; ttst-ctl status text/JSON; unreachable processes exit 3.
srv=$1 raw=$2 ctl=$3
. "$(dirname "$0")/common.sh"

start_server
"$ctl" status "$pid" >"$tmp/status.txt" || fail "ttst-ctl status exit $?"
grep -q "^registered threads *1$" "$tmp/status.txt" || fail "status text: $(cat "$tmp/status.txt")"
grep -q "^last update *none$" "$tmp/status.txt" || fail "status text: $(cat "$tmp/status.txt")"
"$ctl" status --json "$pid" | jq -e --argjson p "$pid" \
	'.pid == $p and .abi_version == 1 and .threads == 1 and .last_update == "none" and
	 (.program | endswith("/ctlsrv")) and .heap_objects_untyped >= 1' >/dev/null ||
	fail "status --json: $("$ctl" status --json "$pid")"

for mode in garbage truncated oversized version unknown badlen; do
	"$raw" "$pid" "$mode" || fail "malformed request '$mode' not answered as expected"
	"$raw" "$pid" status || fail "server stopped serving after '$mode'"
done

# a client that sends half a frame and waits does not delay the others
"$raw" "$pid" slowloris &
slow=$!
sleep 0.3
for i in 1 2 3 4 5; do
	t0=$(ms)
	"$raw" "$pid" status || fail "STATUS $i failed while a slow client is connected"
	t=$(($(ms) - t0))
	[ "$t" -lt 1000 ] || fail "STATUS $i took $t ms while a slow client is connected"
done
wait "$slow" || fail "the slow client was not answered with a timeout error"

# more idle connections than the server keeps: it refuses the excess, then serves again
idle=()
for i in $(seq 20); do
	"$raw" "$pid" idle &
	idle+=($!)
done
wait "${idle[@]}"
ok=0
for _ in $(seq 40); do
	"$raw" "$pid" status 2>/dev/null && { ok=1; break; }
	sleep 0.1
done
[ "$ok" = 1 ] || fail "server does not serve after a connection flood"

# unreachable: no such process, not instrumented, stale socket
out=$("$ctl" status 4194304 2>&1); rc=$?
[ "$rc" = 3 ] && [ "$out" = "ttst-ctl: pid 4194304: no such process" ] || fail "no such pid: $rc $out"
out=$("$ctl" status $$ 2>&1); rc=$?
[ "$rc" = 3 ] && [[ $out == "ttst-ctl: pid $$: not instrumented by ttst (no control socket "*"/$$.sock)" ]] ||
	fail "not instrumented: $rc $out"
out=$("$ctl" status nonsense 2>&1); rc=$?
[ "$rc" = 2 ] || fail "bad pid argument: $rc $out"
start_server
dead=$pid
kill -9 "$dead"
wait "$dead" 2>/dev/null
sleep 0.1
"$raw" "$pid" status 2>/dev/null && fail "a killed process still answers"
[ -S "$TTST_RUNDIR/$dead.sock" ] || fail "expected the killed process's socket to stay behind"
# ... the next process removes it (unless the pid is running again, which it is not here)
start_server
for _ in $(seq 40); do
	[ -S "$TTST_RUNDIR/$dead.sock" ] || break
	sleep 0.05
done
[ -S "$TTST_RUNDIR/$dead.sock" ] && fail "stale socket $dead.sock not removed by the next process"
# a forked child has its own control socket and answers for itself
start_server fork
child=$(sed -n 's/^ready child=//p' "$tmp/out.$$.$((${#pids[@]} - 1))")
[ -n "$child" ] || fail "ctlsrv fork: no child pid"
pids+=("$child")
for _ in $(seq 40); do
	[ -S "$TTST_RUNDIR/$child.sock" ] && break
	sleep 0.05
done
"$ctl" status --json "$child" | jq -e --argjson p "$child" '.pid == $p and .threads == 1' >/dev/null ||
	fail "forked child: $("$ctl" status "$child" 2>&1)"
"$ctl" status --json "$pid" | jq -e --argjson p "$pid" '.pid == $p' >/dev/null ||
	fail "parent after fork: $("$ctl" status "$pid" 2>&1)"
kill "$child"
perm=$(stat -c %a "$TTST_RUNDIR")
[ "$perm" = 700 ] || fail "run directory mode $perm, expected 700"
perm=$(stat -c %a "$TTST_RUNDIR/$pid.sock")
[ "$perm" = 600 ] || fail "socket mode $perm, expected 600"
echo "ctlsock protocol: ok"
