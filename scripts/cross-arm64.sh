#!/usr/bin/env bash
# Cross-builds VWW Live for arm64 (Raspberry Pi 4 / 5 class boards) on a Debian
# amd64 machine and runs its tests under qemu-user emulation.
#   scripts/cross-arm64.sh                 build build-arm64/, run the test suite
#   scripts/cross-arm64.sh --build-only    build only
#   scripts/cross-arm64.sh --kernels-only  build, then the kernel / golden / fast
#                                          form tests in one vww_tests process,
#                                          under QEMU_CPU=cortex-a72 (Pi 4: NEON,
#                                          no dot product) and cortex-a76 (Pi 5)
#   scripts/cross-arm64.sh --ci            what .ci/run does (fits its time budget):
#                                          the kernel tests under both CPUs and the
#                                          quick application suites under qemu's
#                                          default CPU, three processes side by side
#   scripts/cross-arm64.sh --sysroot-only  make (or find) the sysroot, print its path
# Extra arguments after the option go to ctest (full run) or vww_tests
# (--kernels-only).
#
# What it needs, installed when missing (idempotent): the cross compiler, qemu-user,
# mmdebstrap, llvm (llvm-mca, for the kernel estimates). The project's arm64
# libraries come from an arm64 sysroot made with
#   mmdebstrap --variant=extract --arch=arm64 --include=<the -dev packages> bookworm DIR
# from this machine's own Debian sources: multiarch `apt install libopencv-*-dev:arm64`
# would remove the amd64 OpenCV packages on a machine that has them. The sysroot
# is cached outside the clone, in ${XDG_CACHE_HOME:-~/.cache}/vww/, under a name
# keyed by its package list, so later runs (and fresh CI clones) reuse it;
# VWW_ARM64_SYSROOT=DIR uses a sysroot of your own. BUILD_DIR (default build-arm64).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
case "${1:-}" in
  --build-only | --kernels-only | --ci | --sysroot-only) mode=${1#--}; shift ;;
  --all) shift ;;
  -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -*) if [ "${1:-}" != "--" ]; then echo "error: unknown option $1 (see --help)" >&2; exit 2; fi ;;
esac
[ "${1:-}" = "--" ] && shift

# The tools, and the host's own build tools (flatc runs at build time).
scripts/install-deps.sh g++-aarch64-linux-gnu qemu-user mmdebstrap llvm

# The arm64 libraries the project builds and links against: the -dev packages
# of scripts/install-deps.sh, for arm64 (test tools such as Chromium, Xvfb and
# the mosquitto broker stay amd64 programs of the machine).
SYSROOT_PACKAGES=(
  libc6-dev libstdc++-12-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-videoio-dev
  libopencv-highgui-dev libv4l-dev libx11-dev
  libflatbuffers-dev libgemmlowp-dev nettle-dev nlohmann-json3-dev
  libgtest-dev libcpp-httplib-dev libmosquitto-dev
)
SUITE=bookworm

# Absolute symlinks point into the build machine's own / (rewrite them relative to
# the sysroot), and the extract variant runs no maintainer scripts, so the
# alternatives links libopencv_core needs (libblas.so.3, liblapack.so.3) are
# missing. The fix-ups are idempotent.
fix_sysroot() {
  local root=$1 link target
  # mmdebstrap puts device nodes in DIR/dev; under `qemu-aarch64 -L DIR` they
  # would shadow the machine's own (a pty opened through DIR/dev/ptmx belongs
  # to no mounted devpts), so the sysroot's /dev stays empty.
  if [ -n "$(ls -A "$root/dev" 2>/dev/null)" ]; then
    rm -rf "${root:?}/dev"
    mkdir "$root/dev"
  fi
  while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m -s --relative-to="$(dirname "$link")" "$root$target")" "$link"
  done < <(find "$root" -type l -lname '/*' -print0)
  local libdir=$root/usr/lib/aarch64-linux-gnu alt
  for alt in blas/libblas.so.3 lapack/liblapack.so.3; do
    if [ -e "$libdir/$alt" ] && [ ! -e "$libdir/${alt#*/}" ]; then
      ln -sfn "$alt" "$libdir/${alt#*/}"
    fi
  done
}

# This machine's Debian sources (deb822 or one-line), without third-party ones;
# mmdebstrap's default mirror when there are none.
debian_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/debian.sources; do
    [ -f "$f" ] && grep -qE '^[[:space:]]*(deb|Types:)' "$f" && echo "$f"
  done
  return 0
}

if [ -n "${VWW_ARM64_SYSROOT:-}" ]; then
  sysroot=$(realpath "$VWW_ARM64_SYSROOT")
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/vww
  key=$(printf '%s\n' "$SUITE" "${SYSROOT_PACKAGES[@]}" | sort | sha256sum | cut -c1-12)
  sysroot=$cache/sysroot-arm64-$SUITE-$key
  mkdir -p "$cache"
  # One maker at a time (several clones may start at once); the others wait and reuse.
  exec 9>"$cache/sysroot.lock"
  flock 9
  if [ ! -f "$sysroot/.vww-sysroot-complete" ]; then
    echo "cross-arm64: making the arm64 sysroot in $sysroot (about 1-2 minutes)" >&2
    partial=$sysroot.partial
    rm -rf "$partial" "$sysroot"
    mapfile -t sources < <(debian_sources)
    t0=$SECONDS
    mmdebstrap --quiet --variant=extract --arch=arm64 \
      --include="$(IFS=,; echo "${SYSROOT_PACKAGES[*]}")" \
      "$SUITE" "$partial" "${sources[@]}"
    fix_sysroot "$partial"
    touch "$partial/.vww-sysroot-complete"
    mv "$partial" "$sysroot"
    echo "cross-arm64: sysroot made in $((SECONDS - t0)) s" >&2
  fi
  flock -u 9
fi
fix_sysroot "$sysroot"
if [ "$mode" = sysroot-only ]; then
  echo "$sysroot"
  exit 0
fi

build=${BUILD_DIR:-build-arm64}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchain-aarch64-linux-gnu.cmake" \
  -DVWW_ARM64_SYSROOT="$sysroot" "${launcher[@]}" >/dev/null
emulator=(qemu-aarch64 -L "$sysroot")

# The tests of the kernels against their specification: the reference kernels,
# the TFLM goldens, every fast form against the reference (all run in-process).
KERNEL_TESTS='Golden*:EndToEnd.*:Planner.*:FastIsa.*:Form*:*Fast.*:*FastDeclines.*'
KERNEL_TESTS+=':ElementwiseInModels.*:*Neon*:Add.*:Broadcast.*:Dequantize.*:FullyConnected.*'
KERNEL_TESTS+=':Logistic.*:Mean.*:Mul.*:Quantize.*:AveragePool.*:Conv2D.*:DepthwiseConv2D.*'
KERNEL_TESTS+=':Softmax.*:Concatenation.*:MaxPool.*:Pad.*:Transpose.*:ActivationRange.*'
KERNEL_TESTS+=':MultiplyByQuantizedMultiplier.*:QuantizeMultiplier.*:RoundingDivideByPOT.*'
KERNEL_TESTS+=':SaturatingRoundingDoublingHighMul.*'

KERNEL_TESTS+=':ThreadedInference.*:LargeBias*'

# Quick application suites (in-process, or a few short `vww` runs through the
# emulator launcher): loading, DSP, decision, capture negotiation, overlay,
# the CLI's errors and bundled models. What .ci/run adds to the kernel tests.
APP_SMOKE_TESTS='ModelLoading.*:HostileModels.*:RealModels.*:PlanArena.*:AreaResizer.*:Dsp.*'
APP_SMOKE_TESTS+=':WakeDetector.*:MovingAverage.*:DecideLabel.*:DecisionOptions.*:V4l2Negotiate.*'
APP_SMOKE_TESTS+=':CaptureV4l2.*:Overlay.*:Sha256.*:Boards.*:TileGeometry.*:TileSpec.*:TileCombiner.*'
APP_SMOKE_TESTS+=':ClassifyCli.*:InfoCli.*:BoardsCommand.*:BundledModels.*:DataDir.*'

# Not yet passing under emulation (the full run leaves them out; issue 15 is
# open for them): Debian's arm64 FFmpeg decodes the sample videos to other
# bytes, and these video runs still compare with x86-64 references or time
# real-time playback that qemu is too slow for; the sysroot has no GStreamer
# plugins; the 64 MP decode cap re-executes vww, which qemu-user's launcher
# does not pass through.
NOT_UNDER_EMULATION='CaptureGst.*:CaptureFiles.GStreamerPipelinePlays'
NOT_UNDER_EMULATION+=':FuzzRegressions.HugeImageHeaderIsRefusedByTheDecodeCap'
NOT_UNDER_EMULATION+=':RunCli.PersonVideoWakesWhereTheReferenceSays:RunCli.NoPersonVideoNeverWakes'
NOT_UNDER_EMULATION+=':RunCli.ConsoleMirrorsEdgeImpulse:RunMqtt.AvailableWakeSleepOfflineOnThePersonVideo'
NOT_UNDER_EMULATION+=':RunRecord.SigintMidRecordingLeavesEveryFileReadable:RunWindow.*:WindowPlay.*'

case $mode in
  ci)
    cmake --build "$build" --target vww vww_tests -j "$(nproc)"
    echo "== kernel tests under QEMU_CPU=cortex-a72 and cortex-a76, quick application tests" >&2
    pids=()
    for cpu in cortex-a72 cortex-a76; do
      QEMU_CPU=$cpu "${emulator[@]}" "$build/tests/vww_tests" --gtest_filter="$KERNEL_TESTS" \
        --gtest_brief=1 >"$build/kernels-$cpu.log" 2>&1 &
      pids+=($!)
    done
    (cd "$build/tests" && "${emulator[@]}" ./vww_tests --gtest_filter="$APP_SMOKE_TESTS" \
      --gtest_brief=1) >"$build/app-smoke.log" 2>&1 &
    pids+=($!)
    failed=0
    for i in 0 1 2; do
      wait "${pids[$i]}" || failed=1
    done
    for log in "$build"/kernels-cortex-a72.log "$build"/kernels-cortex-a76.log "$build"/app-smoke.log; do
      echo "-- $log" >&2
      tail -n 3 "$log" >&2
    done
    if [ $failed -ne 0 ]; then
      cat "$build"/kernels-*.log "$build"/app-smoke.log >&2
      exit 1
    fi
    ;;
  build-only)
    cmake --build "$build" -j "$(nproc)"
    ;;
  kernels-only)
    cmake --build "$build" --target vww_tests -j "$(nproc)"
    for cpu in cortex-a72 cortex-a76; do
      echo "== kernel tests under QEMU_CPU=$cpu" >&2
      QEMU_CPU=$cpu "${emulator[@]}" "$build/tests/vww_tests" --gtest_filter="$KERNEL_TESTS" \
        --gtest_brief=1 "$@"
    done
    ;;
  all)
    cmake --build "$build" -j "$(nproc)"
    for cpu in cortex-a72 cortex-a76; do
      echo "== kernel tests under QEMU_CPU=$cpu" >&2
      QEMU_CPU=$cpu "${emulator[@]}" "$build/tests/vww_tests" --gtest_filter="$KERNEL_TESTS" \
        --gtest_brief=1
    done
    echo "== the test suite under qemu's default CPU" >&2
    exclude=$(echo "$NOT_UNDER_EMULATION" | sed 's/\./\\./g; s/\*/.*/g; s/:/|/g')
    (cd "$build" && ctest --output-on-failure -j "$(nproc)" -LE 'slow|soak|no-emulation' \
      -E "^($exclude)\$" "$@")
    ;;
esac
