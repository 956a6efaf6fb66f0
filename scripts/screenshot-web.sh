#!/usr/bin/env bash
# Makes docs/web_view.png: `vww run --http` on the sample video, headless
# Chromium pointed at the page once the first wake event is in.
#   scripts/screenshot-web.sh [BUILD_DIR] [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-docs/web_view.png}
vww="$build/app/vww"
[ -x "$vww" ] || { echo "error: $vww not built (scripts/build.sh)" >&2; exit 1; }
for tool in chromium curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

tmp=$(mktemp -d)
"$vww" run --source assets/vtest_person.avi --realtime --loop --headless --quiet \
  --http 127.0.0.1:0 --name shelf >/dev/null 2>"$tmp/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

port=""
for _ in $(seq 100); do
  port=$(sed -n 's|^http: serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/err")
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "error: vww printed no port" >&2; exit 1; }
# The sample wakes at 4.5 s of video and sleeps at 12.7 s; 8 s in, the page
# has a wake event with its snapshot and a timeline with an awake period.
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$port/api/status" | grep -q '"wakes":1' && break
  sleep 0.1
done
sleep 3.5
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --user-data-dir="$tmp/profile" --timeout=15000 --window-size=1280,860 \
  --screenshot="$out" "http://127.0.0.1:$port/" 2>/dev/null
echo "wrote $out" >&2
