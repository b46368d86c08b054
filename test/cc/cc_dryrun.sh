#!/usr/bin/env bash
# cc_dryrun.sh -- ttst-cc argument classification, part lookup and error messages, via TTST_CC_DRYRUN=1
# against a fake ttst home (no pass or runtime needed).
# usage: cc_dryrun.sh TTST_CC INSTALL_PREFIX WORKDIR
set -euo pipefail
cc=$1 prefix=$2 work=$3
. "$(dirname "$0")/../ctl/lib.sh"
rm -rf "$work"
mkdir -p "$work/home/lib" "$work/home/include" "$work/home/bin" "$work/clang"
cd "$work"
H=$work/home
touch "$H/lib/libttst-pass.so" "$H/lib/libttst.so" "$H/lib/ttst_module.o" "$H/include/ttst.h"
printf '#!/bin/sh\nexit 0\n' >clang/clang-16
chmod +x clang/clang-16
CL=$work/clang/clang-16
export TTST_HOME=$H TTST_CLANG=$CL TTST_CC_DRYRUN=1

CF="-g -I$H/include"
PL="-fpass-plugin=$H/lib/libttst-pass.so"
LK="$H/lib/ttst_module.o -L$H/lib -lttst -Wl,-rpath,$H/lib"

# expect "ARGS" "EXPECTED ADDITIONS": ttst-cc ARGS must run clang with ARGS then the additions.
expect() {
	local got want
	# shellcheck disable=SC2086
	got=$("$cc" $1) || { fail "ttst-cc $1: exit $?"; return; }
	want=$(echo "$CL $1 $2" | sed 's/ *$//')
	[ "$got" = "$want" ] || fail "ttst-cc $1"$'\n'"   got: $got"$'\n'"  want: $want"
}

expect "-c x.c -o x.o" "$CF $PL"
expect "-O2 -g0 -c x.c" "$CF $PL"
expect "-c x.i" "$CF $PL"
expect "-c -x c weird.txt" "$CF $PL"
expect "-x c - -c" "$CF $PL"
expect "-xc x.txt -c" "$CF $PL"
expect "-S x.c" "$CF $PL"
expect "-MD -MF x.d -MT x.o -c x.c" "$CF $PL"
expect "-c x.S" "$CF"
expect "-c y.s" "$CF"
expect "-E x.c" "$CF"
expect "-M x.c" "$CF"
expect "-MM x.c" "$CF"
expect "-fsyntax-only x.c" "$CF"
expect "x.o y.o -o prog -lm" "$LK"
expect "x.c -o prog" "$CF $PL $LK"
expect "-shared -fPIC a.c -o liba.so" "$CF $PL $LK"
expect "-shared -o libb.so b.o" "$LK"
expect "-shared" "$LK"
expect "-x c x.txt -o prog" "$CF $PL -x none $LK"
expect "-o prog -I inc -D X=1 -include cfg.h x.c" "$CF $PL $LK"
expect "-o x.c.o -c y.c" "$CF $PL"
expect "-MF dep.c -c y.s" "$CF"
expect "-r a.o b.o -o ab.o" ""
expect "--version" ""
expect "-v" ""
expect "-dumpversion" ""
expect "-dumpmachine" ""
expect "-print-prog-name=ld" ""
expect "-print-search-dirs" ""
expect "--print-file-name=libc.so" ""
expect "-print-file-name=crtbegin.o x.c" ""

# Response files are read for classification and passed through unchanged.
printf -- "-c 'my file.c' -o \"out put.o\"\n" >args.rsp
expect "@args.rsp" "$CF $PL"
printf -- "a.o\nb.o\n" >objs.rsp
expect "@objs.rsp -o prog" "$LK"

# Arguments are printed quoted for a shell when needed.
got=$("$cc" -c "a b.c" -DMSG="it's")
[ "$got" = "$CL -c 'a b.c' '-DMSG=it'\\''s' $CF $PL" ] || fail "quoting: $got"

# The home: TTST_HOME, else the directory above the executable, else the install prefix.
cp "$cc" "$H/bin/ttst-cc"
got=$(env -u TTST_HOME "$H/bin/ttst-cc" -c x.c)
[ "$got" = "$CL -c x.c $CF $PL" ] || fail "home from the executable's directory: $got"
mkdir -p bare/bin
cp "$cc" bare/bin/ttst-cc
if [ ! -e "$prefix/include/ttst.h" ]; then
	expect_err "install-prefix fallback" 1 "^ttst-cc: $prefix/include/ttst.h not found; set TTST_HOME to the ttst install prefix$" \
		env -u TTST_HOME bare/bin/ttst-cc -c x.c
fi

# Missing parts and a bad clang give one message and exit 1.
rm "$H/lib/libttst-pass.so"
expect_err "missing plugin" 1 "^ttst-cc: $H/lib/libttst-pass.so not found; set TTST_HOME to the ttst install prefix$" \
	"$cc" -c x.c
expect "-E x.c" "$CF"
rm "$H/lib/ttst_module.o"
expect_err "missing module object" 1 "^ttst-cc: $H/lib/ttst_module.o not found; set TTST_HOME" "$cc" x.o -o prog
expect_err "bad TTST_HOME" 1 "^ttst-cc: /nonexistent/include/ttst.h not found; set TTST_HOME" \
	env TTST_HOME=/nonexistent "$cc" -c x.c
expect "--version" ""
expect_err "bad TTST_CLANG" 1 "^ttst-cc: TTST_CLANG=/nonexistent/clang is not an executable" \
	env TTST_CLANG=/nonexistent/clang "$cc" -c x.c
got=$(env -u TTST_CLANG PATH="$work/clang" "$cc" --version)
[ "$got" = "$CL --version" ] || fail "clang-16 from PATH: $got"
finish
