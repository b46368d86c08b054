#!/usr/bin/env bash
# test.sh -- set everything up and run every test (pass, runtime, end to end).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
"$top/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j"$(nproc)" --timeout 600
