#!/usr/bin/env bash
# Installs the Debian 12 packages VWW Live needs, only those that are missing
# (idempotent). Runs apt as root, or through sudo.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ make cmake pkg-config
  # model runtime: flatbuffers schema compiler + headers, gemmlowp fixed point
  flatbuffers-compiler libflatbuffers-dev libgemmlowp-dev
  # libraries: SHA-256 (nettle), JSON (nlohmann, header-only)
  nettle-dev nlohmann-json3-dev
  # capture, DSP and window: only the OpenCV modules we use, not libopencv-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libopencv-videoio-dev libopencv-highgui-dev libv4l-dev
  # the display's size, to fit the window to the screen
  libx11-dev
  # JSON written and parsed (vww bench --json, logs, reports)
  nlohmann-json3-dev
  # tests: GoogleTest; Xvfb for the window screenshot test; clang's libFuzzer
  libgtest-dev xvfb xauth clang libclang-rt-14-dev
  # window tests: xwd grabs the Xvfb screen, xdotool types keys into the window
  x11-apps xdotool
  # scripts/package.sh: CPack's DEB generator reads ELF files with `file` and
  # computes the dependencies with dpkg-shlibdeps (dpkg-dev)
  dpkg-dev file
  # `--source gst:PIPELINE` (OpenCV's GStreamer backend): videotestsrc, videoconvert
  # and appsink for the test, and the everyday elements users put in a pipeline
  gstreamer1.0-plugins-base
  # live outputs of `vww run`: the web view (cpp-httplib, JSON) and MQTT (libmosquitto)
  libcpp-httplib-dev nlohmann-json3-dev libmosquitto-dev
  # their tests: a real broker and clients, a real headless browser
  mosquitto mosquitto-clients chromium
  # scripts/arm64-estimates.sh and its test: llvm-mca (and, below, the arm64 cross compiler)
  llvm
)
# On an amd64 machine the arm64 estimates compile the NEON kernels with the
# cross compiler; on a Pi the board itself is measured instead.
[ "$(dpkg --print-architecture)" = amd64 ] && PACKAGES+=(g++-aarch64-linux-gnu)
PACKAGES+=("$@")  # callers may add more (the test script adds its own)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
