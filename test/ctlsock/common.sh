# common.sh -- shared by the control-socket tests: a private run directory, one ctlsrv, cleanup.
# Sourced with $srv (ctlsrv), sets $tmp, $TTST_RUNDIR; start_server sets $pid.
set -u
tmp=$(mktemp -d /tmp/ttst-ctlsock-XXXXXX)
chmod 711 "$tmp"
export TTST_RUNDIR=$tmp/run
pids=()

cleanup() {
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

# start_server [ARG]: runs ctlsrv in the background and waits until it runs (sets $pid).
start_server() {
	"$srv" "$@" >"$tmp/out.$$.${#pids[@]}" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		grep -q ready "$tmp/out.$$.$((${#pids[@]} - 1))" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "ctlsrv did not start"
}

ms() { date +%s%3N; }
