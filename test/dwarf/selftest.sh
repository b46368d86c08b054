#!/usr/bin/env bash
# selftest.sh -- ttst-dwarfcheck on selftest.c compiled by clang-16 (DWARF 5),
# gcc -gdwarf-4 and gcc -gdwarf-2 -gstrict-dwarf (DW_AT_bit_offset and
# location expressions): the deduplicated, sorted output must equal
# selftest.expected for each.
# usage: selftest.sh DWARFCHECK SRC_DIR WORK_DIR
set -uo pipefail
[ $# -eq 3 ] || { echo "usage: $0 DWARFCHECK SRC_DIR WORK_DIR" >&2; exit 2; }
check=$1 src=$2 work=$3
mkdir -p "$work" || exit 1
fails=0
run() { # NAME COMPILER FLAGS...
	local name=$1
	shift
	if ! command -v "$1" >/dev/null; then
		echo "dwarf.selftest: $1 not installed (scripts/install-deps.sh)"
		fails=$((fails + 1))
		return
	fi
	if ! "$@" -O0 "$src/selftest.c" -o "$work/$name" 2>"$work/$name.err"; then
		echo "dwarf.selftest: $name: compile failed: $(head -n 3 "$work/$name.err")"
		fails=$((fails + 1))
		return
	fi
	if ! "$check" "$work/$name" | sort -u >"$work/$name.out"; then
		echo "dwarf.selftest: $name: ttst-dwarfcheck failed"
		fails=$((fails + 1))
		return
	fi
	if ! diff -u "$src/selftest.expected" "$work/$name.out"; then
		echo "dwarf.selftest: $name: output differs from selftest.expected (above)"
		fails=$((fails + 1))
		return
	fi
	echo "dwarf.selftest: $name: OK"
}
run clang16-dwarf5 clang-16 -g
run gcc-dwarf4 gcc -gdwarf-4
run gcc-dwarf2 gcc -gdwarf-2 -gstrict-dwarf
# compare.sh on the clang binary: a hand-written inspect JSON with the same
# layouts passes; each kind of difference is reported.
cmp() { # NAME EXPECTED_EXIT JQ_FILTER [--strict]
	local opts=("${@:4}")
	jq "$3" "$src/selftest-inspect.json" >"$work/$1.json" || { fails=$((fails + 1)); return; }
	TTST_DWARFCHECK="$check" bash "$src/compare.sh" "${opts[@]}" /nonexistent "$work/clang16-dwarf5" "$work/$1.json" "$1" \
		>"$work/$1.log" 2>&1
	local rc=$?
	if [ $rc -ne "$2" ]; then
		echo "dwarf.selftest: compare.sh $1: exit $rc, expected $2"
		sed 's/^/    /' "$work/$1.log"
		fails=$((fails + 1))
	else
		echo "dwarf.selftest: compare.sh $1: exit $rc as expected"
	fi
}
if [ -x "$work/clang16-dwarf5" ]; then
	cmp compare-same 0 '.'
	cmp compare-offset 1 '(.types[] | select(.name == "struct hdr") | .members[3].offset) = 3'
	cmp compare-bit 1 '(.types[] | select(.name == "struct flags") | .members[3].bit_offset) = 5'
	cmp compare-size 1 '(.types[] | select(.name == "union u") | .size) = 12'
	cmp compare-missing-type 1 'del(.types[] | select(.name == "struct flex"))'
	bogus='.types += [{"id": "0000000000000009", "name": "struct bogus", "kind": "struct", "size": 4, "members": [{"name": "z", "offset": 0, "type": "00000000000000a1"}]}]'
	cmp compare-extra-type-strict 1 "$bogus" --strict
	cmp compare-extra-type-unknown-name 0 "$bogus"
	cmp compare-extra-type-known-name 1 "${bogus/struct bogus/struct hdr}"
	cmp compare-same-strict 0 '.' --strict
	cmp compare-missing-var 1 'del(.statics[] | select(.name == "calls"))'
	cmp compare-untyped-var 1 '(.statics[] | select(.name == "g_u") | .type) = null'
	cmp compare-var-size 1 '(.statics[] | select(.name == "g_hdrs") | .size) = 24'
fi

# Bad input: a file without DWARF and a missing file fail cleanly (exit 1).
printf 'not an elf\n' >"$work/notelf"
"$check" "$work/notelf" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || { echo "dwarf.selftest: non-ELF input: exit $rc, expected 1"; fails=$((fails + 1)); }
"$check" "$work/does-not-exist" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || { echo "dwarf.selftest: missing file: exit $rc, expected 1"; fails=$((fails + 1)); }
"$check" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { echo "dwarf.selftest: no argument: exit $rc, expected 2"; fails=$((fails + 1)); }
[ $fails -eq 0 ]
