#!/usr/bin/env bash
# unixsock.sh -- a server on a unix socket: v2's re-initialisation unlink()s the socket path and
# binds it again; it gets the inherited socket and the file stays, so the client connected
# before the update keeps talking and new clients still connect by path after it.
# usage: unixsock.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

start_v1 un1
sock=$tmp/port.sock
coproc UC { "$tool" unix "$sock"; }
pids+=("$UC_PID")
# ureq LINE WANT: request on the kept connection
ureq() {
	printf '%s\n' "$1" >&"${UC[1]}"
	IFS= read -r -t 5 r <&"${UC[0]}" || fail "no answer to '$1' on the unix connection"
	[ "$r" = "$2" ] || fail "'$1' answered '$r', expected '$2'"
}
ureq inc count=1
ureq inc count=2
ino=$(stat -c %i "$sock")
update --no-validate "$pid" "$bin/echosrv-un2"
[ "$rc" -eq 0 ] || fail "update un1 -> un2 exited $rc: $out"
new=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
pids+=("$new")
ureq inc count=3
ureq ver "version=un2 pid=$new mode=7"
[ "$(stat -c %i "$sock" 2>/dev/null)" = "$ino" ] || fail "the socket file $sock was replaced or removed"
r=$(printf 'get\n' | "$tool" unix "$sock")
[ "$r" = count=3 ] || fail "a new client by path got '$r'"
say "OK: the unix socket file survived v2's unlink(); old and new connections served by $new"
