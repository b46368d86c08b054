#!/usr/bin/env bash
# build.sh -- builds the update tests' servers with ttst-cc: echosrv variants (v1, v2, crash,
# exit, hang, xfail, forker, mt1, mt2, sb1, sb2, un1, un2; see echosrv.c), a non-instrumented
# executable and a copy of v2 whose metadata claims ABI version 99.
# usage: build.sh BUILD_DIR OUT_LINK
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_LINK" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$1 link=$2
# Built into a fresh directory that then replaces $link (a symlink) atomically: a test of another
# ctest run in the same build tree never sees a half-built directory.
out=$link.$$
rm -rf "$out"
mkdir -p "$out"
ln -s "$build/bin/ttst-ctl" "$out/ttst-ctl"
while read -r name version reinit threaded sandbox unix; do
	"$build/bin/ttst-cc" -O1 -Wall -Wextra -Werror -pthread -DSRV_VERSION="\"$version\"" \
		-DSRV_REINIT="$reinit" -DSRV_THREADED="$threaded" -DSRV_SANDBOX="$sandbox" \
		-DSRV_UNIX="$unix" "$here/echosrv.c" -o "$out/echosrv-$name"
done <<'EOF'
v1 v1 0 0 0 0
v2 v2 0 0 0 0
crash crash 1 0 0 0
exit exit 2 0 0 0
hang hang 3 0 0 0
xfail xfail 4 0 0 0
forker forker 5 0 0 0
diff diff 6 0 0 0
mt1 mt1 0 1 0 0
mt2 mt2 0 1 0 0
sb1 sb1 0 0 1 0
sb2 sb2 0 0 1 0
un1 un1 0 0 0 1
un2 un2 0 0 0 1
EOF
cp /bin/true "$out/plain"
# abi: v2 with the first TU blob's abi_version (u16 at offset 4 of the ttst_meta section) = 99
cp "$out/echosrv-v2" "$out/abi"
off=$(readelf -W -S "$out/abi" | awk '$2 == "ttst_meta" { print $5 } $3 == "ttst_meta" { print $6 }')
[ -n "$off" ] || { echo "build.sh: no ttst_meta section in echosrv-v2" >&2; exit 1; }
printf '\x63\x00' | dd of="$out/abi" bs=1 seek=$((16#$off + 4)) conv=notrunc status=none
[ -L "$link" ] || rm -rf "$link"
ln -sfn "$(basename "$out")" "$link.tmp.$$"
mv -T "$link.tmp.$$" "$link"
# earlier builds, once no test of their run can still be using them
find "$(dirname "$link")" -maxdepth 1 -name "$(basename "$link").*" -type d -mmin +10 \
	-exec rm -rf {} +
echo "build.sh: servers in $out"
