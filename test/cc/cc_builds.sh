#!/usr/bin/env bash
# cc_builds.sh -- ttst-cc as a drop-in CC: a plain Makefile project (make CC=ttst-cc) and a CMake
# project with a shared library (-DCMAKE_C_COMPILER=ttst-cc) both build, run and inspect.
# usage: cc_builds.sh TTST_CC TTST_CTL PROJECT_SOURCE WORKDIR
set -euo pipefail
cc=$1 ctl=$2 src=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../ctl/lib.sh"
. "$here/check_ccproj.sh"
rm -rf "$work"
mkdir -p "$work/make"
unset TTST_HOME TTST_CC_DRYRUN

# make CC=ttst-cc, with -MMD dependency files.
cp "$src"/Makefile "$src"/*.c "$src"/*.h "$work/make/"
make -s -C "$work/make" CC="$cc" CFLAGS="-O2 -Wall" >"$work/make.log" 2>&1 ||
	{ cat "$work/make.log"; fail "make CC=ttst-cc failed"; finish; }
[ -s "$work/make/main.d" ] || fail "make: -MMD -MF dependency file missing"
out=$("$work/make/ccproj") || fail "make: program failed (exit $?)"
[ "$out" = "ccproj ok" ] || fail "make: program output: $out"
"$ctl" inspect --json "$work/make/ccproj" >"$work/make.json" || fail "make: inspect failed"
check_ccproj make "$work/make.json" all

# cmake -DCMAKE_C_COMPILER=ttst-cc: compiler detection, a shared library and a program.
cmake -S "$src" -B "$work/cmake" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Release \
	>"$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; fail "cmake configure with ttst-cc failed"; finish; }
cmake --build "$work/cmake" -j2 >>"$work/cmake.log" 2>&1 ||
	{ cat "$work/cmake.log"; fail "cmake build with ttst-cc failed"; finish; }
out=$("$work/cmake/ccproj") || fail "cmake: program failed (exit $?)"
[ "$out" = "ccproj ok" ] || fail "cmake: program output: $out"
"$ctl" inspect --json "$work/cmake/libccutil.so" >"$work/lib.json" || fail "cmake: inspect of the library failed"
check_ccproj "cmake library" "$work/lib.json" lib
"$ctl" inspect --json "$work/cmake/ccproj" >"$work/exe.json" || fail "cmake: inspect of the program failed"
check_ccproj "cmake program" "$work/exe.json" exe

# At run time the runtime registers the metadata of both modules (program + shared library).
export TTST_RUNDIR="$work/run"
"$work/cmake/ccproj" hold >"$work/hold.out" &
hpid=$!
trap 'kill -KILL $hpid 2>/dev/null || true; wait $hpid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -S "$TTST_RUNDIR/$hpid.sock" ] && break; sleep 0.1; done
"$ctl" status --json "$hpid" >"$work/status.json" || fail "cmake: status of the running program failed"
jq_true "runtime: program + shared library registered" "$work/status.json" '.modules == 2 and .tus == 2'
kill -KILL "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null || true
finish
