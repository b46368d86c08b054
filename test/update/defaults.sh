#!/usr/bin/env bash
# defaults.sh -- `ttst-ctl update PID` without NEW_BINARY: the file the process was started from,
# replaced on disk (renamed over, so /proc/PID/exe says "(deleted)"), with the process's own
# arguments; and explicit ARGS after NEW_BINARY.
# usage: defaults.sh BIN_DIR UPDTOOL
bin=$1 tool=$2
. "$(dirname "$0")/common.sh"

cp "$bin/echosrv-v1" "$tmp/srv"
rm -f "$tmp/port"
(cd "$tmp" && exec ./srv port >>"$tmp/server.out" 2>&1) &
pid=$!
pids+=("$pid")
for _ in $(seq 200); do [ -s "$tmp/port" ] && break; sleep 0.02; done
port=$(cat "$tmp/port")
connect
expect_reply inc count=1
cp "$bin/echosrv-v2" "$tmp/srv.new"
mv "$tmp/srv.new" "$tmp/srv"
[[ "$(readlink "/proc/$pid/exe")" == *"(deleted)" ]] || fail "exe link: $(readlink "/proc/$pid/exe")"
update --no-validate "$pid"
[ "$rc" -eq 0 ] || fail "update with the defaults exited $rc: $out"
grep -qF "updating pid $pid to $tmp/srv (not validated)" <<<"$out" || fail "binary: $out"
new=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
pids+=("$new")
expect_reply inc count=2
expect_reply ver "version=v2 pid=$new mode=7"
[ "$(tr '\0' ' ' <"/proc/$new/cmdline")" = "./srv port " ] ||
	fail "v2's arguments: $(tr '\0' ' ' <"/proc/$new/cmdline")"
say "OK: default binary (replaced on disk) and arguments"

# explicit arguments: argv[0] is NEW_BINARY as given, then ARGS
update --no-validate "$new" "$bin/echosrv-v1" "$tmp/port"
[ "$rc" -eq 0 ] || fail "update with ARGS exited $rc: $out"
third=$(sed -n 's/^committed in [0-9]* ms: pid \([0-9]*\) serves now.*/\1/p' <<<"$out")
pids+=("$third")
expect_reply inc count=3
[ "$(tr '\0' ' ' <"/proc/$third/cmdline")" = "$bin/echosrv-v1 $tmp/port " ] ||
	fail "explicit arguments: $(tr '\0' ' ' <"/proc/$third/cmdline")"
say "OK: explicit NEW_BINARY and ARGS"
