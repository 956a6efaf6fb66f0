#!/bin/sh
# Recording benchmark (not a test): processed fps and drops of
# `vww run --record --record-raw --clips --realtime` on a 1280x720 30 fps
# source made from a test image. Usage: scripts/bench-record.sh [BUILD_DIR] [SECONDS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
seconds=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -O2 -o "$work/make_bench_video" "$root/scripts/make_bench_video.cc" -I/usr/include/opencv4 \
  -lopencv_core -lopencv_imgproc -lopencv_imgcodecs -lopencv_videoio
"$work/make_bench_video" "$root/tests/data/images/person.bmp" "$work/src.avi" 1280 720 30 "$seconds"
"$build/app/vww" run --headless --quiet --realtime --source "$work/src.avi" \
  --record "$work/rec" --record-raw --clips 2>&1 | grep -E '^(summary|recorded|latency)'
