#!/usr/bin/env bash
# idstable.sh -- state IDs and allocation-site IDs survive unrelated edits:
# idstable/v1.c and idstable/v2.c (v1 plus edits listed at the top of v2.c)
# are built with ttst-cc; every v1 static and site ID must exist in v2 with
# the same kind / allocator and type name, and v2's new state must get new IDs.
# usage: idstable.sh BUILD_DIR OPT WORK_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 3 ] || { echo "usage: $0 BUILD_DIR OPT WORK_DIR" >&2; exit 2; }
build=$1 opt=$2 work=$3
say() { echo "idstable[$opt]: $*"; }
rm -rf "$work"
mkdir -p "$work" && mkdir -m 700 "$work/run" || exit 1
for v in v1 v2; do
	mkdir -p "$work/$v" && cp "$here/idstable/$v.c" "$work/$v/prog.c" || exit 1
	(cd "$work/$v" && "$build/bin/ttst-cc" "-$opt" -Wall -Wextra -Werror prog.c -o prog) ||
		{ say "ttst-cc -$opt $v.c failed"; exit 1; }
	(cd "$work/$v" && TTST_RUNDIR="$work/run" timeout 30 ./prog) || { say "$v exited $?"; exit 1; }
	"$build/bin/ttst-ctl" inspect --json "$work/$v/prog" >"$work/$v.json" ||
		{ say "ttst-ctl inspect --json $v failed"; exit 1; }
done
# One line per site and static: "id<TAB>kind-or-allocator<TAB>type name".
flatten() {
	jq -r '(.types | map({(.id): .name}) | add) as $n
	  | (.sites[] | "site \(.id)\t\(.allocator)\t\(if .type then $n[.type] else "untyped" end)"),
	    (.statics[] | select(.string != true)
	      | "static \(.id)\t\(.kind)\t\(if .type then $n[.type] else "untyped" end)")' "$1" | sort
}
flatten "$work/v1.json" >"$work/v1.ids" && flatten "$work/v2.json" >"$work/v2.ids" || exit 1
fails=0
while IFS= read -r l; do
	id=$(cut -f1 <<<"$l")
	now=$(grep -F -- "$id"$'\t' "$work/v2.ids" | head -n 1)
	if [ -z "$now" ]; then
		say "v1's $id is gone in v2 (${l#*$'\t'})"
	else
		say "v1's $id changed: v1 '${l#*$'\t'}', v2 '${now#*$'\t'}'"
	fi
	fails=$((fails + 1))
done < <(comm -23 "$work/v1.ids" "$work/v2.ids")
# The edits added state: v2 must have more sites and statics than v1.
n1=$(wc -l <"$work/v1.ids") n2=$(wc -l <"$work/v2.ids")
[ "$n2" -ge $((n1 + 5)) ] || { say "v2 has $n2 IDs, v1 $n1: the added state is not all listed"; fails=$((fails + 1)); }
# Line numbers did move (the test would be vacuous otherwise).
moved=$(jq -r '.sites[] | select(.id == "main:buf:0") | .line' "$work/v1.json" "$work/v2.json" | sort -u | wc -l)
[ "$moved" -eq 2 ] || { say "main:buf:0 should be on different lines in v1 and v2"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || { say "$fails ID(s) not preserved"; exit 1; }
say "OK: all $n1 IDs of v1 are unchanged in v2 ($n2 IDs)"
