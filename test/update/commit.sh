#!/usr/bin/env bash
# commit.sh -- a committed update: the client's TCP connection stays open and keeps its state
# (counter), v2 reports its own version under a new pid, --pidfile is rewritten, systemd's
# NOTIFY_SOCKET gets MAINPID=<v2>, v1 is gone with its socket, v2's STATUS records the update;
# then v2 is updated back to v1 the same way.
# usage: commit.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

"$tool" notify "$tmp/notify.sock" 20000 >"$tmp/notify.out" &
pids+=("$!")
for _ in $(seq 100); do grep -q ready "$tmp/notify.out" && break; sleep 0.02; done
export NOTIFY_SOCKET=$tmp/notify.sock
exec 9>"$tmp/extra" # a descriptor without close-on-exec that v1 inherits
start_v1 v1
exec 9>&-
unset NOTIFY_SOCKET
old=$pid
connect
for i in 1 2 3; do expect_reply inc "count=$i"; done
expect_reply ver "version=v1 pid=$old mode=7"
echo "$old" >"$tmp/srv.pid"
# cloexec FD: 1 if descriptor FD of process P has close-on-exec ("" if it has no FD)
cloexec() {
	local f
	f=$(sed -n 's/^flags:[[:space:]]*\([0-7]*\)/\1/p' "/proc/$1/fdinfo/$2" 2>/dev/null)
	[ -n "$f" ] && echo $(((8#$f >> 19) & 1))
}
declare -A v1flags
for f in /proc/"$old"/fd/*; do v1flags[${f##*/}]=$(cloexec "$old" "${f##*/}"); done

json=$("$ctl" update --json --no-validate --pidfile "$tmp/srv.pid" "$old" "$bin/echosrv-v2")
rc=$?
[ $rc -eq 0 ] || fail "update v1 -> v2 exited $rc: $json"
phases=$(jq -r 'select(.type == "event") | .phase' <<<"$json" | tr '\n' ' ')
[ "$phases" = "park spawn reinit transfer commit " ] || fail "events: '$phases'"
new=$(jq -r 'select(.type == "result") | .new_pid' <<<"$json")
pids+=("$new")
jq -e --argjson o "$old" --argjson n "$new" 'select(.type == "result") |
	.outcome == "committed" and .pid == $n and .old_pid == $o and .reason == "" and
	.objects > 0 and .total_ms >= 0' <<<"$json" >/dev/null || fail "result: $json"
say "OK: committed, pid $old -> $new"

expect_reply inc count=4
expect_reply ver "version=v2 pid=$new mode=7"
say "OK: the same TCP connection talks to v2 and the counter went on"
[ "$(cat "$tmp/srv.pid")" = "$new" ] || fail "pid file holds $(cat "$tmp/srv.pid"), not $new"
gone "$old" || fail "v1 (pid $old) still runs after the commit"
[ ! -e "$TTST_RUNDIR/$old.sock" ] || fail "v1's socket file is still there"
wait "${pids[0]}"
grep -qx "MAINPID=$new" "$tmp/notify.out" || fail "NOTIFY_SOCKET got: $(cat "$tmp/notify.out")"
[ "$(status_of "$new" last_update)" = committed ] || fail "v2's STATUS: no committed update"
say "OK: pid file, MAINPID, v1 gone, v2's STATUS says committed"
[ "$(cloexec "$new" 9)" = 0 ] || fail "v2 lacks v1's descriptor 9 or it became close-on-exec"
for n in "${!v1flags[@]}"; do
	f=$(cloexec "$new" "$n")
	[ -z "$f" ] || [ "$f" = "${v1flags[$n]}" ] ||
		fail "descriptor $n: close-on-exec ${v1flags[$n]} in v1, $f in v2"
done
say "OK: v2 has v1's descriptors with their close-on-exec flags (${#v1flags[@]} compared)"

# a second client, then v2 -> v1 (text output)
exec {c2}<>"/dev/tcp/127.0.0.1/$port" || fail "new connection to port $port refused"
printf 'get\n' >&"$c2"
IFS= read -r -t 5 r2 <&"$c2" || fail "no answer on the second connection"
[ "$r2" = count=4 ] || fail "second connection: '$r2'"
update --no-validate "$new" "$bin/echosrv-v1"
[ "$rc" -eq 0 ] || fail "update v2 -> v1 exited $rc: $out"
for p in park spawn reinit transfer commit; do
	grep -qE "^  $p +[0-9]+ ms" <<<"$out" || fail "no progress line for $p: $out"
done
third=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
[ -n "$third" ] || fail "no 'committed' line: $out"
pids+=("$third")
expect_reply inc count=5
expect_reply ver "version=v1 pid=$third mode=7"
printf 'inc\n' >&"$c2"
IFS= read -r -t 5 r2 <&"$c2" || fail "no answer on the second connection after v2 -> v1"
[ "$r2" = count=6 ] || fail "second connection after v2 -> v1: '$r2'"
exec {c2}>&-
say "OK: v2 -> v1 committed (pid $third), both connections kept"
