#!/usr/bin/env bash
# cc_install.sh -- `cmake --install` into a fresh prefix, then that prefix's ttst-cc compiles and
# links a program that runs, and that prefix's ttst-ctl inspects it.
# usage: cc_install.sh BUILD_DIR SOURCE_DIR WORKDIR
set -euo pipefail
build=$1 src=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ctl/lib.sh"
. "$here/check_ccproj.sh"
rm -rf "$work"
mkdir -p "$work"
P=$work/prefix
cmake --install "$build" --prefix "$P" >"$work/install.log" || { cat "$work/install.log"; exit 1; }
for f in bin/ttst-cc bin/ttst-ctl include/ttst.h include/ttst/abi.h include/ttst/interface.h \
	lib/libttst-pass.so lib/libttst.so lib/ttst_module.o; do
	[ -e "$P/$f" ] || fail "not installed: $f"
done
cd "$work"
cp "$src"/main.c "$src"/util.c "$src"/util.h .
# Compile and link in separate steps, as build systems do.
env -u TTST_HOME "$P/bin/ttst-cc" -O2 -c main.c -o main.o
env -u TTST_HOME "$P/bin/ttst-cc" -O2 -c util.c -o util.o
env -u TTST_HOME "$P/bin/ttst-cc" -o ccproj main.o util.o
out=$(./ccproj) || fail "the program built by the installed ttst-cc failed (exit $?)"
[ "$out" = "ccproj ok" ] || fail "program output: $out"
readelf -d ccproj | grep -q "$P/lib" || fail "no rpath to $P/lib in the program"
"$P/bin/ttst-ctl" inspect --json ccproj >ccproj.json || fail "installed ttst-ctl inspect failed"
check_ccproj installed ccproj.json all
"$P/bin/ttst-ctl" inspect ccproj >ccproj.txt || fail "installed ttst-ctl inspect (text) failed"
grep -Eq '^[0-9]+ of [0-9]+ allocation sites are untyped' ccproj.txt || fail "text: no untyped summary"
finish
