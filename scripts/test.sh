#!/usr/bin/env bash
# All tests: install what is missing, build, run CTest.
#   scripts/test.sh          Release build in build/
#   scripts/test.sh --asan   AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${1:-}" = "--asan" ]; then
  export BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo
  scripts/build.sh -DVWW_SANITIZE=ON
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
else
  export BUILD_DIR=build
  scripts/build.sh
fi
cd "$BUILD_DIR"
# `slow` and `soak` tests are left out (ctest -L soak runs the soak test).
ctest --output-on-failure -j "$(nproc)" -LE 'slow|soak'
