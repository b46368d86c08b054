#!/usr/bin/env bash
# build.sh -- builds every e2e case (a directory with v1.c or v1/) with ttst-cc: OUT/CASE/v1 and
# OUT/CASE/v2.  A case has v1.c/v2.c (compiled as case.c so that file statics keep their state
# IDs) or v1/ and v2/ directories of sources (subdirectories too: compiled from the version's
# directory under their relative path, e.g. net/util.c), with drv.c.  Also OUT/plain (a case server built without ttst) and OUT/abi (a v2
# whose metadata claims ABI version 2, checksums recomputed by abipatch).
# usage: build.sh BUILD_DIR OUT_DIR ABIPATCH
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 BUILD_DIR OUT_DIR ABIPATCH" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$1 out=$2 abipatch=$3
cc=$build/bin/ttst-cc
rm -rf "$out"
mkdir -p "$out"

# prepare CASE VERSION: copies the sources into OUT/CASE/VERSION-src, prints the directory.
prepare() {
	local src=$out/$1/$2-src
	mkdir -p "$src"
	cp "$here/drv.c" "$here/drv.h" "$here/val_common.h" "$src/"
	if [ -d "$here/$1/$2" ]; then
		cp -r "$here/$1/$2"/. "$src/"
	else
		cp "$here/$1/$2.c" "$src/case.c"
	fi
	[ -f "$here/$1/common.h" ] && cp "$here/$1/common.h" "$src/"
	echo "$src"
}

# compile CASE VERSION: builds OUT/CASE/VERSION.
compile() {
	local src objs=() f o
	src=$(prepare "$1" "$2")
	for f in $(cd "$src" && find . -name '*.c' | sed 's|^\./||' | sort); do
		o=$(echo "${f%.c}.o" | tr / _)
		(cd "$src" && "$cc" -O1 -Wall -Wextra -Werror -I. -c "$f" -o "$o") ||
			{ echo "build.sh: ttst-cc failed on $1/$2/$f" >&2; return 1; }
		objs+=("$src/$o")
	done
	"$cc" "${objs[@]}" -o "$out/$1/$2"
}
export -f compile prepare
export here out cc

cases=()
for d in "$here"/*/; do
	[ -f "$d/v1.c" ] || [ -d "$d/v1" ] && cases+=("$(basename "$d")")
done
printf '%s\n' "${cases[@]}" | sed 's/.*/& v1\n& v2/' |
	xargs -P 2 -n 2 bash -c 'compile "$0" "$1"'

# plain: the list case's v2 without ttst (drv.c needs ttst_is_updating/update point symbols)
src=$(prepare list v2)
cc -O1 -I"$src" -I"$here/../../annotations" "$src"/*.c "$here/plain.c" -o "$out/plain"
# abi: the list case's v2 with every TU blob saying ABI version 2
cp "$out/list/v2" "$out/abi"
read -r off size < <(readelf -W -S "$out/abi" |
	awk '{ for (i = 1; i <= NF; i++) if ($i == "ttst_meta") { print "0x" $(i + 3), "0x" $(i + 4) } }')
[ -n "${off:-}" ] || { echo "build.sh: no ttst_meta section in list/v2" >&2; exit 1; }
"$abipatch" "$out/abi" "$off" "$size" 2
echo "build.sh: ${#cases[@]} cases in $out"
