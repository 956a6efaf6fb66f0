#!/usr/bin/env bash
# All tests: install what is missing, build, run CTest.
#   scripts/test.sh          Release build in build/
#   scripts/test.sh --asan   AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${1:-}" = "--asan" ]; then
  export BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo
  # -g1: line tables are all a sanitizer report needs, and they compile much
  # faster than full debug information.
  scripts/build.sh -DVWW_SANITIZE=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
else
  export BUILD_DIR=build
  scripts/build.sh
fi
cd "$BUILD_DIR"
# `slow` and `soak` tests are left out (ctest -L soak runs the soak test).
if [ "$BUILD_DIR" = build-asan ]; then
  # Under the sanitizers, also the tests whose time goes to other programs
  # (packaging tools, Chromium, Xvfb): they run in the Release suite, and
  # leaving them out keeps CI within its budget.
  ctest --output-on-failure -j "$(nproc)" -LE 'slow|soak|install' \
    -E 'Browser|RunWindow\.|WindowPlay\.'
else
  ctest --output-on-failure -j "$(nproc)" -LE 'slow|soak'
fi
