#!/usr/bin/env bash
# Fuzzes the model loader + interpreter and the image decoder + DSP with
# libFuzzer (clang, ASan + UBSan) for a bounded time each.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 60 (env FUZZ_SECONDS too)
# Builds in build-fuzz/. Seeds: tests/fuzz/corpus_*/ plus the real models
# (assets/, tests/data/models/; files over 1 MB are skipped: each
# run would take too long under the sanitizers). New inputs go to
# build-fuzz/corpus/, crashers to build-fuzz/crashes/; the script fails on any
# crash, leak, timeout or out-of-memory. Keep a crasher as a regression input
# by copying it into tests/fuzz/regressions/{model,image}/ (replayed by
# vww_tests, FuzzRegressions.*).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-${FUZZ_SECONDS:-60}}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}

scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVWW_FUZZ=ON -DVWW_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target fuzz_model fuzz_image_dsp

corpus="$BUILD_DIR/corpus"
crashes="$BUILD_DIR/crashes"
mkdir -p "$corpus/model" "$corpus/image" "$crashes"

# Model seeds: the committed small models and every real model under 1 MB.
cp tests/fuzz/corpus_model/* "$corpus/model/" 2>/dev/null || true
for m in assets/*.tflite tests/data/models/*.tflite; do
  [ -f "$m" ] && [ "$(stat -c %s "$m")" -le 1048576 ] && cp "$m" "$corpus/model/"
done
# Image seeds: tiny odd images (committed) and the two small test pictures.
cp tests/fuzz/corpus_image/* "$corpus/image/" 2>/dev/null || true
for i in tests/data/images/person_gray.pgm tests/data/images/no_person.bmp; do
  # The first byte of a DSP input selects the variant (tests/fuzz/fuzz_targets.h).
  [ -f "$i" ] && { printf '\x00'; cat "$i"; } >"$corpus/image/seed_$(basename "$i")"
done

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
run() {
  local target=$1 dir=$2 max_len=$3
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s" >&2
  # -timeout: a single input running 5 s is a hang; -rss_limit_mb: hostile
  # shapes must be rejected, not allocated. -max_len: large enough for the
  # seed models, so mutations keep their structure.
  "$BUILD_DIR/tests/fuzz/$target" "$corpus/$dir" -max_total_time="$SECONDS_PER_TARGET" \
    -timeout=5 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$crashes/$target-" 2>"$BUILD_DIR/$target.log" || {
    status=1
    echo "fuzz: $target FAILED; see $BUILD_DIR/$target.log and $crashes/" >&2
  }
  # Executions and speed, from libFuzzer's final stats.
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb" \
    "$BUILD_DIR/$target.log" | sed "s/^/fuzz: $target /" >&2 || true
}
# OpenCV reads its decode cap when it loads: it must be in the environment.
export OPENCV_IO_MAX_IMAGE_PIXELS=${OPENCV_IO_MAX_IMAGE_PIXELS:-16777216}
run fuzz_model model 400000
run fuzz_image_dsp image 65536
exit $status
