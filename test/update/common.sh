# common.sh -- shared by the update tests: a private run directory, echosrv processes, a client
# connection kept open across updates, cleanup of every process by pid.
# Sourced with $bin (directory holding ttst-ctl and the echosrv-* variants built by build.sh) and
# $tool (updtool); sets $tmp and $TTST_RUNDIR.  Run under `updtool reap` so that a committed v2
# (whose parent v1 exits) is reaped too.
set -u
bin=$(cd "$bin" && pwd -P) # build.sh swaps a symlink: keep to the directory it names now
tmp=$(mktemp -d /tmp/ttst-update-XXXXXX)
chmod 711 "$tmp"
mkdir -m 700 "$tmp/run"
export TTST_RUNDIR=$tmp/run
ctl=$bin/ttst-ctl
pids=()

cleanup() {
	[ -n "${conn:-}" ] && exec {conn}>&-
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

say() { echo "update: $*"; }

# start_v1 VARIANT: starts echosrv-VARIANT (sets $pid, $port) and waits for its port file.
start_v1() {
	rm -f "$tmp/port"
	"$bin/echosrv-$1" "$tmp/port" >>"$tmp/server.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 200); do
		[ -s "$tmp/port" ] && grep -q "pid $pid started" "$tmp/server.out" && break
		sleep 0.02
	done
	[ -s "$tmp/port" ] || fail "echosrv-$1 did not start: $(cat "$tmp/server.out")"
	port=$(cat "$tmp/port")
}

# connect: opens the client connection on fd $conn.
connect() {
	exec {conn}<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to port $port"
}

# req LINE: sends LINE on the connection, sets $reply to the answer.
req() {
	printf '%s\n' "$1" >&"$conn" || fail "cannot send '$1'"
	IFS= read -r -t 5 reply <&"$conn" || fail "no answer to '$1'"
}

# expect_reply LINE WANT: req LINE and compare.
expect_reply() {
	req "$1"
	[ "$reply" = "$2" ] || fail "'$1' answered '$reply', expected '$2'"
}

# update ARGS...: runs ttst-ctl update; sets $out (stdout+stderr) and $rc.
update() {
	out=$("$ctl" update "$@" 2>&1)
	rc=$?
}

# nchildren PID: children of PID, zombies included (from /proc/*/stat, without forking).
nchildren() {
	local want=$1 n=0 f s ppid
	for f in /proc/[0-9]*/stat; do
		{ IFS= read -r s <"$f"; } 2>/dev/null || continue
		s=${s##*) }
		read -r _ ppid _ <<<"$s"
		[ "$ppid" = "$want" ] && n=$((n + 1))
	done
	echo "$n"
}

# nfds PID: number of open descriptors.
nfds() { ls "/proc/$1/fd" | wc -l; }

# gone PID: waits up to 3 s until PID has exited (or is a zombie).
gone() {
	local st
	for _ in $(seq 150); do
		st=$(sed -n 's/^State:\t\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && return 0
		sleep 0.02
	done
	return 1
}

# status_of PID KEY: one value of `ttst-ctl status --json`.
status_of() { "$ctl" status --json "$1" | jq -r ".$2"; }
