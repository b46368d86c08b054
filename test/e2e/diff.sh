#!/usr/bin/env bash
# diff.sh -- ctest e2e.diff: `ttst-ctl diff` on the e2e case binaries (built by build.sh) and on
# kvstore v1/v2: verdicts, member paths, annotations named, --json schema, exit codes 0/1/2.
# usage: diff.sh TTST_CTL CASES_DIR KVSTORE_TTST_DIR
set -u
[ $# -eq 3 ] || { echo "usage: $0 TTST_CTL CASES_DIR KVSTORE_TTST_DIR" >&2; exit 2; }
ctl=$1 cases=$2 kv=$3
tmp=$(mktemp -d /tmp/ttst-diff-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "diff: FAIL: $*" >&2; exit 1; }

# run WANT_RC ARGS...: runs ttst-ctl diff, output in $tmp/out, $tmp/err
run() {
	local want=$1 got
	shift
	"$ctl" diff "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" = "$want" ] || fail "diff $* exited $got, expected $want: $(cat "$tmp/out" "$tmp/err")"
}
jqcheck() { jq -e "$1" "$tmp/out" >/dev/null || fail "$2: $(cat "$tmp/out")"; }

# kvstore: everything automatic; the renamed global is reported with the annotation to write
run 0 --json "$kv/kvstore-v1" "$kv/kvstore-v2"
jqcheck '.summary == {"automatic": (.types + .statics + .sites | length), "annotation": 0, "impossible": 0}' \
	"kvstore: summary does not count every change as automatic"
jqcheck '.types[] | select(.name == "struct entry" and .change == "changed" and .verdict == "automatic")' \
	"kvstore: struct entry not reported as changed, automatic"
jqcheck '.statics[] | select(.id == "g_stats" and .change == "dropped" and
	(.reason | contains("TTST_RENAME(\"g_stats\", \"g_server_stats\")")))' \
	"kvstore: dropped g_stats without the rename hint"
jqcheck '.statics[] | select(.id == "g_hits_total" and .change == "added")' "kvstore: g_hits_total not added"
jqcheck '.sites[] | select(.id == "table_set:e:0" and .change == "changed")' "kvstore: site table_set:e:0 not changed"

# pointer -> integer without PXFER: needs an annotation, named with its member path
run 1 --json "$cases/refuse-p2i/v1" "$cases/refuse-p2i/v2"
jqcheck '.types[] | select(.name == "struct peer" and .verdict == "needs annotation" and
	.annotation == "PXFER" and (.reason | startswith("struct peer.next: pointer became integer")))' \
	"refuse-p2i: struct peer.next not reported as needing PXFER"
jqcheck '.summary.annotation >= 1' "refuse-p2i: summary counts no annotation"
run 1 "$cases/refuse-p2i/v1" "$cases/refuse-p2i/v2"
grep -q '^  changed  struct peer: needs annotation (PXFER) -- struct peer.next:' "$tmp/out" ||
	fail "refuse-p2i: text output: $(cat "$tmp/out")"

# the annotated pointer-in-integer and a type change that only widens: automatic
run 0 --json "$cases/pxfer/v1" "$cases/pxfer/v2"
jqcheck '.types[] | select(.name == "struct target" and
	(.reason | contains("struct target.value: widened from 4 to 8 bytes")))' "pxfer: widening not named"
# identical programs: nothing changed
run 0 --json "$cases/list/v1" "$cases/list/v1"
jqcheck '(.types + .statics + .sites | length) == 0' "list v1 vs itself reports changes"

# bad input: the same messages as inspect, exit 2
run 2 "$cases/list/v1" "$tmp/missing"
grep -q "$tmp/missing" "$tmp/err" || fail "missing file not named: $(cat "$tmp/err")"
run 2 "$cases/plain" "$cases/list/v2"
grep -q 'plain.*no ttst_meta section' "$tmp/err" || fail "plain binary: $(cat "$tmp/err")"
run 2 "$cases/list/v1" "$cases/abi"
grep -q 'ABI version 2' "$tmp/err" || fail "ABI mismatch: $(cat "$tmp/err")"
run 2 "$cases/list/v1"
grep -q 'missing NEW' "$tmp/err" || fail "usage: $(cat "$tmp/err")"
run 2 --bogus "$cases/list/v1" "$cases/list/v2"
echo "diff: ok"
