#!/usr/bin/env bash
# peeruid.sh CTLSRV TTST-CTL -- another uid cannot control the process: the 0700 run directory stops
# it, and with the directory opened up the SO_PEERCRED check refuses it; the server keeps serving.
srv=$1 ctl=$2
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! getent passwd nobody >/dev/null; then
	echo "peeruid: needs root, setpriv and user nobody; skipped"
	exit 77
fi
. "$(dirname "$0")/common.sh"
cp "$ctl" "$tmp/ttst-ctl" && chmod 755 "$tmp/ttst-ctl"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

start_server
out=$(as_nobody "$tmp/ttst-ctl" status "$pid" 2>&1); rc=$?
[ "$rc" = 3 ] && [[ $out == *"permission denied"* ]] || fail "nobody, closed directory: $rc $out"

chmod 777 "$TTST_RUNDIR"
chmod 666 "$TTST_RUNDIR/$pid.sock"
out=$(as_nobody "$tmp/ttst-ctl" status "$pid" 2>&1); rc=$?
[ "$rc" = 3 ] && [[ $out == "ttst-ctl: pid $pid: permission denied: uid 65534 may not control pid $pid (owner uid 0)"* ]] ||
	fail "nobody, open socket: $rc $out"
"$ctl" status "$pid" >/dev/null || fail "the owner is refused after the other uid"
echo "ctlsock peeruid: ok"
