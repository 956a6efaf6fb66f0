#!/usr/bin/env bash
# The demo: install what is missing, build, and run the live detector on the
# first webcam (or on the bundled sample video when there is no camera).
# Extra arguments go to `vww run`, e.g. scripts/demo.sh --source /dev/video2
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/app/vww run "$@"
