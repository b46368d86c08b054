#!/usr/bin/env bash
# pass.sh -- the pass's fault injector (TTST_FAULT) is inert unless asked and injects exactly what
# it reports: for each class, the IR references __ttst_fault_active only when TTST_FAULT is set,
# the report names the chosen function and line, n wraps modulo the candidates, and a malformed
# value is refused with a message and changes nothing.
# usage: pass.sh BUILD_DIR
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
cc=$(cd "$1" && pwd)/bin/ttst-cc
[ -x "$cc" ] || { echo "faults-pass: $cc missing; build ttst first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/ttst-faults-pass-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "faults-pass: FAIL: $*" >&2; exit 1; }
cat >"$tmp/t.c" <<'C'
#include <stdlib.h>
#include <string.h>
struct s { int a; char *p; };
int f(int x, char *buf, int i)
{
	int loc = x * 2;
	struct s *o = malloc(sizeof *o);
	if (!o)
		return -1;
	o->a = loc;
	o->p = buf;
	buf[i] = 1;
	memset(buf, 0, (size_t)x);
	free(o);
	return loc;
}
C
ir() { # ir OUT [TTST_FAULT value]: IR of t.c at -O2, stderr in OUT.err
	# compiled from inside $tmp under its bare name, so that the file in the report is
	# "t.c" whatever the working directory of the test run is
	local out=$1
	shift
	if [ $# = 1 ]; then (cd "$tmp" && TTST_FAULT=$1 "$cc" -O2 -g -S -emit-llvm -o "$out" -c t.c 2>"$out.err")
	else (cd "$tmp" && env -u TTST_FAULT "$cc" -O2 -g -S -emit-llvm -o "$out" -c t.c 2>"$out.err"); fi
}
ir "$tmp/plain.ll"
! grep -q __ttst_fault_active "$tmp/plain.ll" || fail "TTST_FAULT unset, but the IR calls __ttst_fault_active"
[ ! -s "$tmp/plain.ll.err" ] || fail "TTST_FAULT unset, but the pass printed: $(cat "$tmp/plain.ll.err")"
ir "$tmp/empty.ll" ""
cmp -s <(grep -v ModuleID "$tmp/plain.ll") <(grep -v ModuleID "$tmp/empty.ll") || fail "TTST_FAULT='' changed the IR"
ir "$tmp/bad.ll" "bogus:1"
grep -q "^ttst: TTST_FAULT='bogus:1' is not" "$tmp/bad.ll.err" || fail "no message for TTST_FAULT=bogus:1"
! grep -q __ttst_fault_active "$tmp/bad.ll" || fail "TTST_FAULT=bogus:1 injected a fault"

# class n expected-report-line: the reported location (t.c lines above).
while read -r class n want; do
	ir "$tmp/$class-$n.ll" "$class:$n"
	got=$(sed -n "s/^ttst: fault $class#$n at //p" "$tmp/$class-$n.ll.err")
	[ "$got" = "f (t.c:$want)" ] || fail "$class:$n reported '$got', expected 'f (t.c:$want)': $(cat "$tmp/$class-$n.ll.err")"
	grep -q 'call i32 @__ttst_fault_active()' "$tmp/$class-$n.ll" || fail "$class:$n: no __ttst_fault_active call in the IR"
done <<'T'
branch 0 8
branch 1 8
overflow 0 12
overflow 1 13
overflow 2 12
leak 0 10
leak 1 11
leak 2 14
T
ir "$tmp/ptr.ll" pointer:0
grep -q 'xor i64 .*, 4096' "$tmp/ptr.ll" || fail "pointer:0: no bit flip (xor 4096) in the IR"
ir "$tmp/uninit.ll" uninit:0
grep -q 'store volatile' "$tmp/uninit.ll" || fail "uninit:0: the skipped local store is not volatile"
echo "faults-pass: OK -- inert without TTST_FAULT, each class injected where reported"
