#!/usr/bin/env bash
# Benchmark (not a test): processed fps of `vww run` on the sample video,
# headless, with nobody watching the web view and with 8 viewers of the MJPEG
# stream, one of which never reads. Prints the median of RUNS runs each.
#   scripts/bench-web.sh [BUILD_DIR] [FRAMES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
frames=${2:-4000}
runs=${3:-3}
vww="$build/app/vww"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

# One run; prints its processed fps. $1: number of viewers (0 or 8).
run_once() {
  local viewers=$1 port="" fps
  "$vww" run --source assets/vtest_person.avi --loop --frames "$frames" --headless --quiet \
    --http 127.0.0.1:0 >/dev/null 2>"$tmp/err" &
  local pid=$!
  for _ in $(seq 200); do
    port=$(sed -n 's|^http: serving on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/err")
    [ -n "$port" ] && break
    sleep 0.05
  done
  local vpids=()
  if [ "$viewers" -gt 0 ]; then
    # One viewer that connects, asks for the stream and never reads a byte.
    python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(3600)' "$port" & vpids+=($!)
    for _ in $(seq $((viewers - 1))); do
      curl -s -o /dev/null "http://127.0.0.1:$port/stream.mjpg" & vpids+=($!)
    done
  fi
  wait "$pid" || true
  for p in "${vpids[@]}"; do kill "$p" 2>/dev/null || true; done
  fps=$(sed -n 's|^summary: [0-9]* frames in [0-9.]* s (\([0-9.]*\) fps).*|\1|p' "$tmp/err")
  echo "${fps:-0}"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for viewers in 0 8; do
  results=()
  for _ in $(seq "$runs"); do results+=("$(run_once "$viewers")"); done
  printf 'viewers %d: processed fps median %s (runs: %s), %d frames each\n' "$viewers" \
    "$(printf '%s\n' "${results[@]}" | median)" "${results[*]}" "$frames"
  sed -n 's/^http: /  last run, http: /p' "$tmp/err"
done
