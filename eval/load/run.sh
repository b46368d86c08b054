#!/usr/bin/env bash
# run.sh -- kvstore updated live many times in a row under load, alternating committed updates and
# forced rollbacks, while a verifying client hammers it on one persistent connection.
#
#   1. builds kvstore v1, v2 and two faulty v2 variants with BUILD_DIR/bin/ttst-cc through the
#      kvstore Makefiles: "crash" (fault.c, -DLOAD_FAULT_CRASH: aborts in re-initialisation) and
#      "wrongcb" (-DLOAD_FAULT_WRONGCB: a transfer callback writes a wrong g_server_stats.cmd_set,
#      which only validation catches);
#   2. starts v1 on 127.0.0.1, loads KEYS keys, starts `kvclient hammer` (bounded in time);
#   3. performs UPDATES updates: odd ones commit (v1->v2, then v2->v1, ...; ttst-ctl update
#      --pidfile must exit 0), even ones roll back (to crash, then wrongcb, ...; must exit 1 and
#      leave the same pid serving); each update is an "update window" for the hammer (SIGUSR1 /
#      SIGUSR2), so it splits its latencies into during and outside updates;
#   4. checks every key, the running version, and that the hammer saw 0 failures, 0 reconnects.
# Prints one row per update and the latency table; exits non-zero on any failure.
# usage: run.sh [--smoke] BUILD_DIR   (default 100,000 keys and 20 updates; --smoke: 5,000 and 6;
#                                       LOAD_KEYS / LOAD_UPDATES override)
set -euo pipefail
smoke=0
[ "${1:-}" = --smoke ] && { smoke=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--smoke] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ $smoke = 1 ]; then keys=${LOAD_KEYS:-5000} updates=${LOAD_UPDATES:-6}; else
	keys=${LOAD_KEYS:-100000} updates=${LOAD_UPDATES:-20}; fi
cc=$build/bin/ttst-cc
ctl=$build/bin/ttst-ctl
client=$build/examples/kvstore/kvclient
for f in "$cc" "$ctl" "$client"; do
	[ -x "$f" ] || { echo "load: $f missing; build ttst first (scripts/build.sh)" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "load: jq is needed (apt-get install jq)" >&2; exit 2; }
[ "$updates" -ge 1 ] && [ "$updates" -le 100 ] || { echo "load: LOAD_UPDATES must be 1..100" >&2; exit 2; }

tmp=$(mktemp -d /tmp/ttst-eval-load-XXXXXX)
mkdir -m 700 "$tmp/run"
export TTST_RUNDIR=$tmp/run TTST_OPTIONS=log_level=error
ulimit -c 0 # the crash variant aborts on purpose: no core files
pid=
hammer=
# stop_pid P: SIGTERM, up to 5 s, then SIGKILL; reaps P (a child of this shell or not).
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	[ -z "$hammer" ] || stop_pid "$hammer"
	# after a committed update the server runs under the pid in the pid file
	[ -s "$tmp/pidfile" ] && pid=$(cat "$tmp/pidfile")
	[ -z "$pid" ] || stop_pid "$pid"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "load: FAIL: $*" >&2; exit 1; }
# gone P: true once P has exited (or is a zombie), waiting up to 2 s.
gone() {
	for _ in $(seq 40); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
		sleep 0.05
	done
	return 1
}
ms() { date +%s%3N; }

# Build: kvstore v1, v2 and the faulty v2 variants, all with ttst-cc.
t0=$(ms)
mk() { # mk NAME VERSION [make variables...]
	local n=$1 v=$2
	shift 2
	make -s -C "$top/examples/kvstore/$v" CC="$cc" CFLAGS="-O2 -g" O="$tmp/obj-$n" \
		BIN="$tmp/kvstore-$n" "$@" >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; fail "building kvstore-$n"; }
}
mk v1 v1
mk v2 v2
for f in crash:CRASH wrongcb:WRONGCB; do
	"$cc" -std=c11 -Wall -Wextra -Werror -O2 -g -I"$top/examples/kvstore/v2" -I"$top/annotations" \
		-DLOAD_FAULT_"${f#*:}" -c -o "$tmp/fault-${f%%:*}.o" "$top/eval/load/fault.c" ||
		fail "compiling fault.c (${f%%:*})"
done
mk crash v2 LDFLAGS=-Wl,--wrap=table_init LDLIBS="$tmp/fault-crash.o"
mk wrongcb v2 LDLIBS="$tmp/fault-wrongcb.o"
echo "load: built kvstore v1, v2, v2-crash, v2-wrongcb with ttst-cc in $(( $(ms) - t0 )) ms"

# Start v1 on the first free port from 11711 on.
port=
for try in $(seq 0 9); do
	p=$((11711 + try * 7))
	"$tmp/kvstore-v1" --port "$p" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -q '^kvstore: listening' "$tmp/out" && { port=$p; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$port" ] && break
	stop_pid "$pid"
	pid=
done
[ -n "$port" ] || fail "kvstore v1 found no free port from 11711 on: $(cat "$tmp/err")"
echo "$pid" >"$tmp/pidfile"
kv() { "$client" --port "$port" "$@"; }
t0=$(ms)
kv load "$keys" >/dev/null || fail "loading $keys keys"
echo "load: kvstore v1 pid $pid on 127.0.0.1:$port, $keys keys loaded in $(( $(ms) - t0 )) ms"

# The hammer is bounded (50 s, far more than the updates take); it is stopped by SIGTERM.
"$client" --port "$port" hammer --seconds 50 --keys "$keys" >"$tmp/hammer" 2>&1 &
hammer=$!
sleep 0.5

printf '\n%3s  %-8s %-12s %-8s %4s %-11s %6s  %s\n' '#' kind update expect exit outcome ms reason
cur=v1
commits=0 rollbacks=0
for i in $(seq 1 "$updates"); do
	if [ $((i % 2)) = 1 ]; then
		kind=commit expect=0
		if [ $cur = v1 ]; then target=v2; else target=v1; fi
	else
		kind=rollback expect=1
		if [ $((i % 4)) = 2 ]; then target=crash why=crash; else target=wrongcb why=validation; fi
	fi
	old=$pid
	rc=0
	kill -USR1 "$hammer"
	"$ctl" update --json --pidfile "$tmp/pidfile" "$pid" "$tmp/kvstore-$target" \
		>"$tmp/update.json" 2>"$tmp/update.err" || rc=$?
	kill -USR2 "$hammer"
	res=$(jq -c 'select(.type == "result")' "$tmp/update.json" 2>/dev/null || true)
	outcome=$(jq -r '.outcome // "none"' <<<"${res:-{\}}")
	printf '%3d  %-8s %-12s %-8s %4s %-11s %6s  %s\n' "$i" "$kind" "$cur->$target" "exit $expect" \
		"$rc" "$outcome" "$(jq -r '.total_ms // "-"' <<<"${res:-{\}}")" \
		"$(jq -r '.reason // ""' <<<"${res:-{\}}" | cut -c1-100)"
	[ "$rc" = "$expect" ] || { cat "$tmp/update.json" "$tmp/update.err" >&2; fail "update $i ($cur->$target) exited $rc, expected $expect"; }
	if [ $kind = commit ]; then
		[ "$outcome" = committed ] || fail "update $i: outcome $outcome, expected committed"
		[ "$(jq -r .validated <<<"$res")" = 1 ] || fail "update $i: not validated: $res"
		pid=$(jq -r .new_pid <<<"$res")
		[ "$(cat "$tmp/pidfile")" = "$pid" ] || fail "update $i: pid file not rewritten to $pid"
		gone "$old" || fail "update $i: old pid $old still runs 2 s after the commit"
		# v1 was started by this shell: reap it once it is gone
		[ $i != 1 ] || wait "$old" 2>/dev/null || true
		cur=$target commits=$((commits + 1))
	else
		[ "$outcome" != committed ] || fail "update $i: committed to the faulty $target"
		jq -r .reason <<<"$res" | grep -q "$why" || fail "update $i: rolled back for another reason than $why: $res"
		[ "$(cat "$tmp/pidfile")" = "$old" ] || fail "update $i: pid file changed by a rollback"
		rollbacks=$((rollbacks + 1))
	fi
	kill -0 "$pid" 2>/dev/null || fail "update $i: the server (pid $pid) is not running"
	kill -0 "$hammer" 2>/dev/null || fail "update $i: the hammer exited: $(cat "$tmp/hammer")"
	sleep 0.3 # traffic outside update windows
done

# The hammer's verdict, every key, and the version that serves.
hrc=0
kill -TERM "$hammer"
wait "$hammer" || hrc=$?
hammer=
line=$(grep '^hammer: requests=' "$tmp/hammer" || true)
split=$(grep '^hammer: windows=' "$tmp/hammer" || true)
[ -n "$line" ] && [ -n "$split" ] || fail "the hammer printed no report: $(cat "$tmp/hammer")"
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }
[ "$hrc" = 0 ] && [ "$(field failures "$line")" = 0 ] && [ "$(field reconnects "$line")" = 0 ] ||
	fail "the hammer saw failures or reconnected (exit $hrc): $(cat "$tmp/hammer")"
[ "$(field windows "$split")" = "$updates" ] || fail "the hammer saw $(field windows "$split") update windows, expected $updates"
kv check "$keys" >"$tmp/check" 2>&1 || fail "key check after the updates: $(cat "$tmp/check")"
want=1
[ $cur = v2 ] && want=2
got=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; printf 'version\\r\\nquit\\r\\n' >&3; cat <&3" | tr -d '\r\n' || true)
[ "$got" = "VERSION kvstore-$want" ] ||
	fail "the server answers '$got' to version, expected kvstore v$want"

printf '\n%-16s %9s %8s %8s %9s\n' latency requests p50_us p99_us max_us
printf '%-16s %9s %8s %8s %9s\n' "during updates" "$(field in_requests "$split")" \
	"$(field in_p50_us "$split")" "$(field in_p99_us "$split")" "$(field in_max_us "$split")"
printf '%-16s %9s %8s %8s %9s\n' "outside updates" "$(field out_requests "$split")" \
	"$(field out_p50_us "$split")" "$(field out_p99_us "$split")" "$(field out_max_us "$split")"
printf '%-16s %9s %8s %8s %9s\n' all "$(field requests "$line")" "$(field p50_us "$line")" \
	"$(field p99_us "$line")" "$(field max_us "$line")"
echo
echo "load: OK -- $updates updates ($commits committed, $rollbacks rolled back as expected), $keys keys intact," \
	"kvstore v$want serves as pid $pid; hammer: $(field requests "$line") requests, 0 failures, 0 reconnects"
