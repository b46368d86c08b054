#!/usr/bin/env bash
# test-plain.sh -- ctest kvstore-plain: v1 and v2 (plain builds) serve load/check/hammer/proto,
# v2 passes v2check and v1 fails it, 100k keys load in < 2 s, and the limits (--maxconn,
# --maxbytes, port in use, usage errors).
# usage: test-plain.sh KVSTORE_V1 KVSTORE_V2 KVCLIENT
set -uo pipefail

v1=$1 v2=$2 client=$3
tmp=$(mktemp -d /tmp/kvstore-test.XXXXXX)
pid= port= nstart=0 out= err=

cleanup() {
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "test-plain: FAIL: $*" >&2
	for f in "$out" "$err"; do [ -s "$f" ] && sed 's/^/  server: /' "$f" >&2; done
	exit 1
}

# Runs a command that must exit with status $1.
expect() {
	local want=$1 rc
	shift
	"$@" >"$tmp/cmd" 2>&1
	rc=$?
	cat "$tmp/cmd"
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want"
}

# Starts server binary $1 on an ephemeral port with extra args; sets pid and port (5 s max).
# Each start gets fresh files: the shell creates them in the child, after the fork, so a
# reused name could still show the previous server's port to the loop below.
start() {
	local bin=$1 i
	shift
	nstart=$((nstart + 1))
	out=$tmp/out.$nstart err=$tmp/err.$nstart
	"$bin" --port 0 "$@" >"$out" 2>"$err" &
	pid=$!
	for i in $(seq 50); do
		port=$(sed -n 's/^kvstore: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out" 2>/dev/null)
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || fail "$bin exited before listening"
		sleep 0.1
	done
	fail "$bin did not print its listening line within 5 s"
}

# Stops the server with SIGTERM; it must exit 0 within 5 s.
stop() {
	local i rc
	kill -TERM "$pid"
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && fail "server $pid ignored SIGTERM for 5 s"
	wait "$pid"
	rc=$?
	pid=
	[ "$rc" = 0 ] || fail "server exited $rc after SIGTERM"
}

stat_of() {
	"$client" --port "$port" stats | awk -v n="$1" '$1 == n { print $2 }'
}

# --- usage errors -----------------------------------------------------------------------
expect 2 "$v1" --port abc
expect 2 "$v1" --bogus
expect 2 "$v2" --port 70000
expect 2 "$client" load 10
expect 2 "$client" --port 1 frobnicate

# --- each version: protocol, load, check, hammer ------------------------------------------
for v in 1 2; do
	bin=$v1 other=2
	[ "$v" = 2 ] && bin=$v2 other=1
	start "$bin"
	echo "== kvstore v$v on port $port (pid $pid)"
	expect 0 "$client" --port "$port" proto --version "$v"
	expect 1 "$client" --port "$port" proto --version "$other"
	expect 0 "$client" --port "$port" load 10000
	expect 0 "$client" --port "$port" check 10000
	expect 0 "$client" --port "$port" hammer --seconds 1 --max-requests 200000 --keys 10000
	grep -q ' failures=0 reconnects=0 ' "$tmp/cmd" || fail "hammer reported failures"
	expect 0 "$client" --port "$port" check 10000
	if [ "$v" = 2 ]; then
		expect 0 "$client" --port "$port" v2check --keys 10000
		[ "$(stat_of version)" = 2 ] || fail "v2 stats has no 'version 2'"
	else
		expect 1 "$client" --port "$port" v2check --keys 10000
		[ -z "$(stat_of version)" ] || fail "v1 stats reports a version"
	fi
	items=$(stat_of curr_items)
	[ "$items" -ge 10000 ] || fail "curr_items $items < 10000"
	if [ "$v" = 2 ]; then # the demo loads 100k keys: pipelined, that takes well under 2 s
		expect 0 "$client" --port "$port" load 100000
		awk '{ exit !($6 < 2.0) }' "$tmp/cmd" || fail "loading 100k keys took 2 s or more"
		expect 0 "$client" --port "$port" check 100000
	fi
	expect 1 timeout 5 "$bin" --port "$port"
	grep -q 'choose another --port' "$tmp/cmd" || fail "no clear message for a port in use"
	stop
done

# --- --maxconn: the connection beyond the limit is refused with a message ---------------
start "$v1" --maxconn 1
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'version\r\n' >&3
read -t 5 -r line <&3 || fail "no reply on the first connection"
[ "$line" = $'VERSION kvstore-1\r' ] || fail "first connection got '$line'"
exec 4<>"/dev/tcp/127.0.0.1/$port"
read -t 5 -r line <&4 || fail "no reply on the connection beyond --maxconn"
[ "$line" = $'SERVER_ERROR too many connections\r' ] || fail "second connection got '$line'"
exec 3>&- 4>&-
stop

# --- --maxbytes: least recently used entries are evicted ---------------------------------
start "$v2" --maxbytes 400000
expect 0 "$client" --port "$port" load 10000
items=$(stat_of curr_items) evicted=$(stat_of evictions) bytes=$(stat_of bytes)
echo "maxbytes 400000: items=$items evictions=$evicted bytes=$bytes"
[ "$evicted" -gt 0 ] && [ $((items + evicted)) = 10000 ] && [ "$bytes" -le 400000 ] ||
	fail "eviction accounting: items=$items evictions=$evicted bytes=$bytes"
expect 1 "$client" --port "$port" check 10000
stop

echo "test-plain: ok"
