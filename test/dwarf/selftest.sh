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
# Bad input: a file without DWARF and a missing file fail cleanly (exit 1).
printf 'not an elf\n' >"$work/notelf"
"$check" "$work/notelf" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || { echo "dwarf.selftest: non-ELF input: exit $rc, expected 1"; fails=$((fails + 1)); }
"$check" "$work/does-not-exist" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] || { echo "dwarf.selftest: missing file: exit $rc, expected 1"; fails=$((fails + 1)); }
"$check" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || { echo "dwarf.selftest: no argument: exit $rc, expected 2"; fails=$((fails + 1)); }
[ $fails -eq 0 ]
