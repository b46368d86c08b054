#!/usr/bin/env bash
# acceptance.sh -- issue 2's "done when": the multi-file program kvs/ built by
# its own Makefile with `make CC=ttst-cc CFLAGS=-<OPT>` runs (exit 0) and
# `ttst-ctl inspect --json` on it has
#   (a) exactly DWARF's size and member offsets for every struct/union
#       (test/dwarf/compare.sh, libdwarf),
#   (b) a typed static for every global: every data symbol of kvs's objects
#       (nm) and every static-storage variable in DWARF,
#   (c) a type for >= 95% of the allocation sites (all non-free sites except
#       those listed in untyped-by-design.txt).
# usage: acceptance.sh BUILD_DIR OPT WORK_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 3 ] || { echo "usage: $0 BUILD_DIR OPT WORK_DIR" >&2; exit 2; }
build=$1 opt=$2 work=$3
cc=$build/bin/ttst-cc ctl=$build/bin/ttst-ctl
proj=$work/kvs json=$work/inspect.json
fails=0 pct=0
say() { echo "makeproj[$opt]: $*"; }
die() { say "$*" >&2; exit 1; }

# Copies kvs/, builds it with its Makefile, runs it and inspects it.
build_and_run() {
	local rc
	[ -x "$cc" ] || die "$cc not found: build ttst first"
	[ -x "$ctl" ] || die "$ctl not found: build ttst first"
	rm -rf "$work"
	mkdir -p "$work" || die "cannot create $work"
	cp -r "$here/kvs" "$proj" || die "cannot copy kvs/"
	if ! make -C "$proj" CC="$cc" CFLAGS="-$opt" >"$work/make.log" 2>&1; then
		tail -n 20 "$work/make.log"
		die "make CC=ttst-cc CFLAGS=-$opt failed"
	fi
	mkdir -m 700 "$work/run" || die "cannot create $work/run"
	(cd "$proj" && TTST_RUNDIR="$work/run" timeout 60 ./kvs -v) >"$work/run.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 20 "$work/run.log"
		die "./kvs failed (exit $rc; 124 = timeout)"
	fi
	say "built and ran: $(head -n 1 "$work/run.log")"
	"$ctl" inspect --json "$proj/kvs" >"$json" 2>"$work/inspect.err" ||
		die "ttst-ctl inspect --json kvs failed: $(head -n 3 "$work/inspect.err")"
}

# (a) struct/union layouts and DWARF variables against libdwarf.
check_layouts() {
	local strict=()
	[ "$opt" = O0 ] && strict=(--strict)
	bash "$here/../dwarf/compare.sh" "${strict[@]}" "$build" "$proj/kvs" "$json" "makeproj-$opt" 2>&1 ||
		fails=$((fails + 1))
}

# (b) every global is a typed static: data symbols of the project's objects
# (static locals appear as func.name or name.N: the source name is taken;
# compiler-made tables such as reltable.* and switch.table.* are skipped).
check_globals() {
	local syms nsyms bad untyped
	syms=$(cd "$proj" && nm --defined-only ./*.o | awk '$2 ~ /^[BbDdRrCGgSsVv]$/ { print $3 }' |
		grep -v -E '^(\.|__ttst|reltable\.|switch\.table\.|__const\.|__compound_literal\.)' |
		sed -E 's/^[A-Za-z_0-9]+\.([A-Za-z_][A-Za-z_0-9]*)$/\1/; s/\.[0-9]+$//' | sort -u)
	nsyms=$(grep -c . <<<"$syms")
	bad=$(jq -r --arg syms "$syms" '
	  . as $root | ($syms | split("\n") | map(select(length > 0)))[] as $n
	  | [$root.statics[] | select(.name == $n and .kind == "variable")] as $c
	  | if ($c | length) == 0 then "global \($n) (a data symbol in the objects) is not a static in inspect"
	    elif ([$c[] | select(.type == null)] | length) > 0 then "global \($n) has an untyped entry"
	    else empty end' "$json") || die "jq failed on $json"
	if [ -n "$bad" ]; then
		while IFS= read -r l; do say "$l"; fails=$((fails + 1)); done <<<"$bad"
	else
		say "OK: all $nsyms data symbols of kvs's objects are typed statics"
	fi
	untyped=$(jq '[.statics[] | select(.kind == "variable" and .type == null)] | length' "$json")
	[ "$untyped" -eq 0 ] || { say "$untyped static variable(s) have a null type"; fails=$((fails + 1)); }
}

# (c) typed allocation sites, excluding the explicit untyped-by-design list
# (whose every entry must still name a site).  Site files may be recorded as
# "./x.h": compared without the "./".
check_sites() {
	local excl report nsites
	excl=$(grep -v -E '^[[:space:]]*(#|$)' "$here/untyped-by-design.txt" |
		awk '{ split($1, a, ":"); print a[1] "\t" a[2] }' |
		jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t") | {file: .[0], line: (.[1] | tonumber)})')
	report=$(jq -r --argjson X "$excl" '
	  def here: {file: (.file | ltrimstr("./")), line};
	  def excluded: here as $s | any($X[]; . == $s);
	  [.sites[] | select(.free != true)] as $all
	  | [$all[] | select(excluded | not)] as $c
	  | [$c[] | select(.type != null)] as $typed
	  | ($X | map(. as $x | select(any($all[]; here == $x) | not))) as $stale
	  | (if ($c | length) == 0 then 0 else (10000 * ($typed | length) / ($c | length) | floor) / 100 end) as $pct
	  | "PCT \($pct)",
	    "SUMMARY \($typed | length) of \($c | length) allocation sites typed (\($pct)%); \($all | length) non-free sites, \($all | length - ($c | length)) excluded as untyped by design",
	    ($stale[] | "STALE untyped-by-design.txt entry \(.file):\(.line) matches no allocation site"),
	    ($c[] | select(.type == null) | "UNTYPED \(.id) \(.file):\(.line) \(.allocator)\(if .size_mismatch then " (size mismatch)" else "" end)")
	' "$json") || die "jq failed on $json"
	pct=$(sed -n 's/^PCT //p' <<<"$report")
	say "$(sed -n 's/^SUMMARY //p' <<<"$report")"
	while IFS= read -r l; do
		case $l in
		STALE*) say "${l#STALE }"; fails=$((fails + 1)) ;;
		UNTYPED*) say "untyped site: ${l#UNTYPED }" ;;
		esac
	done <<<"$report"
	if ! awk -v p="$pct" 'BEGIN { exit !(p >= 95) }'; then
		say "typed sites $pct% < 95%"
		fails=$((fails + 1))
	fi
	nsites=$(jq '[.sites[] | select(.free != true)] | length' "$json")
	[ "$nsites" -ge 20 ] || { say "only $nsites allocation sites found; kvs has more than 20"; fails=$((fails + 1)); }
}

build_and_run
check_layouts
check_globals
check_sites
if [ $fails -ne 0 ]; then
	say "FAILED: $fails problem(s); inspect JSON in $json"
	exit 1
fi
say "PASSED: layouts match DWARF, every global typed, $pct% of the allocation sites typed"
