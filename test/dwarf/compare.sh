#!/usr/bin/env bash
# compare.sh -- cross-checks `ttst-ctl inspect --json BINARY` against the
# binary's DWARF as read by ttst-dwarfcheck (libdwarf):
#   - every struct/union layout in DWARF ("kind size member@off[:bit:size]...",
#     distinct definitions deduplicated) appears among inspect's types, and
#     every struct/union in inspect appears in DWARF.  Without --strict (for
#     optimised builds, whose DWARF drops types whose only users were
#     optimised away while the pass saw them first) an inspect layout that is
#     not in DWARF fails only if DWARF defines a struct/union of that name;
#     otherwise it is printed as a note;
#   - every variable with static storage in DWARF is a static in inspect
#     with a non-null type of the same size.
# usage: compare.sh [--strict] BUILD_DIR BINARY [INSPECT_JSON] [LABEL]
# (TTST_DWARFCHECK overrides BUILD_DIR/test/dwarf/ttst-dwarfcheck.)
# Exit 0 if everything matches, 1 otherwise (differences printed).
set -uo pipefail
strict=0
[ "${1:-}" = "--strict" ] && { strict=1; shift; }
if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	echo "usage: $0 [--strict] BUILD_DIR BINARY [INSPECT_JSON] [LABEL]" >&2
	exit 2
fi
build=$1 bin=$2 json=${3:-} label=${4:-$(basename "$bin")}
check=${TTST_DWARFCHECK:-$build/test/dwarf/ttst-dwarfcheck}
ctl=$build/bin/ttst-ctl
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

say() { echo "dwarf[$label]: $*"; }
[ -x "$check" ] || { say "$check not built (cmake --build $build --target ttst-dwarfcheck)"; exit 1; }
if [ -z "$json" ]; then
	json=$tmp/inspect.json
	"$ctl" inspect --json "$bin" >"$json" 2>"$tmp/inspect.err" ||
		{ say "ttst-ctl inspect --json $bin failed: $(head -n 3 "$tmp/inspect.err")"; exit 1; }
fi
"$check" -n "$bin" >"$tmp/dwarf.txt" || { say "ttst-dwarfcheck $bin failed"; exit 1; }

# Canonical lines from DWARF and from inspect (inspect also with type names).
# (An aggregate of size 0 without members is indistinguishable from an
# incomplete declaration in inspect: left out on both sides.)
grep -E '^(struct|union) ' "$tmp/dwarf.txt" | grep -v -E $'^(struct|union) 0\t' >"$tmp/dwarf.named"
cut -f1 "$tmp/dwarf.named" | sort -u >"$tmp/dwarf.agg"
grep -E '^var ' "$tmp/dwarf.txt" | sort -u >"$tmp/dwarf.var"
jq -r '.types[] | select((.kind == "struct" or .kind == "union")
	and (.size > 0 or (.members | length) > 0))
  | [.name, ("\(.kind) \(.size)" + ([.members[] | " \(.name)@\(.offset)"
	+ (if (.bit_size // 0) > 0 then ":\(.bit_offset):\(.bit_size)" else "" end)] | join("")))]
  | @tsv' "$json" >"$tmp/inspect.named" || { say "cannot read $json"; exit 1; }
cut -f2 "$tmp/inspect.named" | sort -u >"$tmp/inspect.agg"

fails=0
# Member-name signature of a canonical line: kind and member names only.
sig() { sed -E 's/^([a-z]+) [0-9]+/\1/; s/@[0-9:]+//g' <<<"$1"; }
while IFS= read -r line; do
	fails=$((fails + 1))
	say "DWARF layout missing from inspect: $line"
	s=$(sig "$line")
	while IFS=$'\t' read -r name l2; do
		[ "$(sig "$l2")" = "$s" ] && say "    inspect has '$name' with the same members: $l2"
	done <"$tmp/inspect.named"
done < <(comm -23 "$tmp/dwarf.agg" "$tmp/inspect.agg")
notes=0
while IFS= read -r line; do
	name=$(awk -F'\t' -v l="$line" '$2 == l { print $1; exit }' "$tmp/inspect.named")
	tag=${name#struct }
	tag=${tag#union }
	kind=${line%% *}
	if [ $strict -eq 1 ]; then
		fails=$((fails + 1))
		say "inspect layout of '$name' not in DWARF: $line"
	elif [ "$tag" != "$name" ] && [[ $tag != *[:\ ]* ]] &&
		awk -F'\t' -v t="$tag" -v k="$kind" '$2 == t && index($1, k " ") == 1 { f = 1 } END { exit !f }' "$tmp/dwarf.named"; then
		fails=$((fails + 1))
		say "inspect layout of '$name' not in DWARF, which defines $kind $tag differently: $line"
	else
		notes=$((notes + 1))
		say "note: inspect layout of '$name' is not in DWARF (its users may be optimised out): $line"
	fi
done < <(comm -13 "$tmp/dwarf.agg" "$tmp/inspect.agg")

# Variables: each DWARF "var name size" must be a typed static of that size.
vars=$(awk '{ print $2 "\t" $3 }' "$tmp/dwarf.var" | jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t"))')
bad=$(jq -r --argjson V "$vars" '
  . as $root
  | $V[] | . as [$n, $sz]
  | [$root.statics[] | select(.name == $n and .kind == "variable")] as $c
  | if ($c | length) == 0 then "DWARF variable \($n) (\($sz) bytes) is not a static in inspect"
    elif ([$c[] | select(.type != null)] | length) == 0 then "static \($n) has a null type"
    elif $sz != "?" and ([$c[] | select(.type != null and .size == ($sz | tonumber))] | length) == 0
      then "static \($n): DWARF size \($sz), inspect size(s) \([$c[].size] | map(tostring) | join(","))"
    else empty end' "$json") || { say "jq failed on $json"; exit 1; }
if [ -n "$bad" ]; then
	while IFS= read -r l; do say "$l"; fails=$((fails + 1)); done <<<"$bad"
fi

nagg=$(wc -l <"$tmp/dwarf.agg") nvar=$(wc -l <"$tmp/dwarf.var")
if [ $fails -ne 0 ]; then
	say "$fails difference(s) ($nagg distinct DWARF layouts, $nvar DWARF variables)"
	exit 1
fi
say "OK: $nagg distinct struct/union layouts match, $nvar static-storage variables are typed statics$([ $notes -eq 0 ] || echo " ($notes note(s))")"
