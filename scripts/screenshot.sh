#!/usr/bin/env bash
# Regenerates the README's picture, docs/screenshot.png: the real `vww run`
# pipeline (model, wake logic, overlay) on the bundled sample video, the
# annotated last frame written with --screenshot. No display needed.
#   scripts/screenshot.sh [FRAMES] [OUT]   defaults: 531 frames, docs/screenshot.png
# Builds vww first if it is not built (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMES=${1:-531}
OUT=${2:-docs/screenshot.png}
VWW=${BUILD_DIR:-build}/app/vww
[ -x "$VWW" ] || scripts/build.sh
"$VWW" run --headless --quiet --frames "$FRAMES" --source assets/vtest_person.avi --screenshot "$OUT"
echo "wrote $OUT (frame $((FRAMES - 1)) of assets/vtest_person.avi)"
