#!/usr/bin/env bash
# build.sh -- install missing dependencies, then configure and build ttst in
# ./build (override with BUILD_DIR).  Prints the build directory on success.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
"$top/scripts/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null || cmake --build "$build" -j1
