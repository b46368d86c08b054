#!/usr/bin/env bash
# rtsites.sh -- the redirected allocation calls reach the runtime with the
# right sites: rtsites/rtsites.c (built with ttst-cc) holds 13 objects from
# typed sites (294 bytes: malloc, calloc, strdup, realloc, posix_memalign and
# a same-file wrapper whose inner malloc is untyped), one untyped 100-byte
# buffer and one 4096-byte mmap region; `ttst-ctl status --json` on the
# running process must count exactly those typed objects and bytes, the
# region, and as many statics / functions / locals as inspect lists.
# usage: rtsites.sh BUILD_DIR OPT WORK_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 3 ] || { echo "usage: $0 BUILD_DIR OPT WORK_DIR" >&2; exit 2; }
build=$1 opt=$2 work=$3
ctl=$build/bin/ttst-ctl
say() { echo "rtsites[$opt]: $*"; }
rm -rf "$work"
mkdir -p "$work" && mkdir -m 700 "$work/run" || exit 1
cp "$here/rtsites/rtsites.c" "$work/" || exit 1
(cd "$work" && "$build/bin/ttst-cc" "-$opt" -Wall -Wextra -Werror rtsites.c -o rtsites) ||
	{ say "ttst-cc -$opt rtsites.c failed"; exit 1; }
"$ctl" inspect --json "$work/rtsites" >"$work/inspect.json" || { say "inspect failed"; exit 1; }

(cd "$work" && exec env TTST_RUNDIR="$work/run" ./rtsites "$work/ready" "$work/stop") &
pid=$!
stop() { # ends the program: stop file, then wait (kill by pid if it hangs)
	touch "$work/stop"
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill "$pid" 2>/dev/null
	wait "$pid"
}
for _ in $(seq 100); do [ -e "$work/ready" ] || ! kill -0 "$pid" 2>/dev/null && break; sleep 0.1; done
if [ ! -e "$work/ready" ]; then
	say "the program did not get ready"
	stop
	exit 1
fi
status=$(TTST_RUNDIR="$work/run" "$ctl" status --json "$pid" 2>&1)
rc=$?
stop
prc=$?
[ $rc -eq 0 ] || { say "ttst-ctl status --json $pid failed (exit $rc): $status"; exit 1; }
[ $prc -eq 0 ] || { say "the program exited $prc after the stop file (expected 0)"; exit 1; }
echo "$status" >"$work/status.json"
bad=$(jq -r --slurpfile I "$work/inspect.json" '
  ($I[0].statics) as $s
  | def want($k; $v): if .[$k] == $v then empty else "\($k): expected \($v), status says \(.[$k])" end;
  want("heap_objects_typed"; 13), want("heap_bytes_typed"; 294),
  want("mmap_regions"; 1), want("mmap_bytes"; 4096),
  want("static_objects"; [$s[] | select(.kind == "variable")] | length),
  want("functions"; [$s[] | select(.kind == "function")] | length),
  want("locals"; [$s[] | select(.kind == "local")] | length),
  (if .heap_objects_untyped >= 1 and .heap_bytes_untyped >= 100 then empty
   else "the untyped 100-byte buffer is not counted: heap_objects_untyped \(.heap_objects_untyped), heap_bytes_untyped \(.heap_bytes_untyped)" end)
' "$work/status.json") || { say "bad status JSON: $status"; exit 1; }
if [ -n "$bad" ]; then
	while IFS= read -r l; do say "$l"; done <<<"$bad"
	say "status: $status"
	exit 1
fi
say "OK: 13 typed objects (294 bytes), the untyped buffer and the mmap region are counted as expected"
