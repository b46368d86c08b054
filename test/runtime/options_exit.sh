#!/usr/bin/env bash
# options_exit.sh PROGRAM -- a bad TTST_OPTIONS makes a ttst program exit 2 at start with one
# message naming the key and listing the valid keys; good options run it normally.
set -u
prog=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$(TTST_OPTIONS=bogus=1 "$prog" 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "unknown key: exit $rc, expected 2 (output: $out)"
[ "$out" = "ttst: TTST_OPTIONS: unknown key 'bogus'; valid keys: timeout_ms, park_timeout_ms, validate, log_level, trace_file" ] ||
	fail "unknown key: unexpected output: $out"

out=$(TTST_OPTIONS=timeout_ms=soon "$prog" 2>&1); rc=$?
[ "$rc" -eq 2 ] || fail "bad value: exit $rc, expected 2"
case $out in "ttst: TTST_OPTIONS: bad value 'soon' for timeout_ms"*) ;; *) fail "bad value: $out" ;; esac
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "bad value: more than one line: $out"

out=$(TTST_OPTIONS=timeout_ms=500:log_level=info "$prog" 2>&1); rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "hello updating=0" ] || fail "good options: exit $rc, output: $out"
# trace_file: runtime events (here: the control socket) are appended to it
trace=$(mktemp /tmp/ttst-trace-XXXXXX)
TTST_OPTIONS=trace_file=$trace "$prog" >/dev/null 2>&1 || fail "trace_file: exit $?"
grep -q "ttst: control socket .*/[0-9]*\.sock" "$trace" || { cat "$trace" >&2; rm -f "$trace"; fail "trace_file: no trace"; }
rm -f "$trace"
echo "options_exit: ok"
