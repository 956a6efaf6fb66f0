#!/usr/bin/env bash
# ESTIMATES (not measurements) of the fast backend's time per inference on
# the Raspberry Pi 4 (Cortex-A72) and Pi 5 (Cortex-A76), made on any machine
# with Debian's cross compiler and llvm-mca:
#   1. every model/fast/*_neon.cc and *_neondot.cc compiled to assembly as the
#      arm64 Release build compiles it (-O3; the dot-product files with
#      -march=armv8.2-a+dotprod), plus -DVWW_MCA_REGIONS, which turns each
#      form's VWW_MCA_BEGIN / VWW_MCA_END (model/fast/mca_region.h) into
#      llvm-mca region comments around one iteration of its inner loop;
#   2. llvm-mca -mcpu=cortex-a72 and -mcpu=cortex-a76 on each region (the
#      dot-product ones on the A76 only): cycles per iteration;
#   3. per node of each model, the form that runs it on arm64 (`vww bench
#      --profile --json` of an arm64 build under qemu-aarch64 with
#      QEMU_CPU=cortex-a72 / cortex-a76; without one, computed from the form
#      table and the host's profile) x the node's inner-loop iterations
#      (scripts/arm64-estimates.py, WORK) x cycles per iteration, at the
#      boards' clocks.
#
# Usage: scripts/arm64-estimates.sh [options]
#   --arm64-vww PATH   an arm64 vww (default: build-arm64/app/vww when present)
#   --sysroot DIR      the arm64 sysroot that build used (qemu-aarch64 -L DIR;
#                      default: VWW_ARM64_SYSROOT from build-arm64's CMake cache)
#   --host-vww PATH    without an arm64 vww: this build's vww lists the nodes
#                      (default: build/app/vww)
#   --models "A B"     model names or .tflite files (default: person_detect mlperf_vww)
#   --check            only the regions: fails unless every arm64 form of the
#                      table (model/fast/forms.cc) has one, and a work rule
#   --regions          only print llvm-mca's cycles of every region found (TSV)
#   --sources "F..."   compile these files instead of model/fast/*_neon*.cc
#   --keep DIR         keep the assembly, regions and llvm-mca reports in DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
arm64_vww="" sysroot="" host_vww="$root/build/app/vww" models="person_detect mlperf_vww"
check=0 regions_only=0 sources="" keep=""
die() { echo "error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --arm64-vww) arm64_vww=${2:?}; shift 2 ;;
    --sysroot) sysroot=${2:?}; shift 2 ;;
    --host-vww) host_vww=${2:?}; shift 2 ;;
    --models) models=${2:?}; shift 2 ;;
    --check) check=1; shift ;;
    --regions) regions_only=1; shift ;;
    --sources) sources=${2:?}; shift 2 ;;
    --keep) keep=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

cxx=aarch64-linux-gnu-g++
for tool in "$cxx" llvm-mca flatc python3; do
  command -v "$tool" >/dev/null ||
    die "$tool not found (scripts/install-deps.sh installs g++-aarch64-linux-gnu, llvm, flatbuffers-compiler)"
done

if [ -n "$keep" ]; then
  mkdir -p "$keep" && work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/asm" "$work/include" "$work/generated/model" "$work/profiles"

# The model headers need flatbuffers and gemmlowp, both header-only and the
# same for every architecture: the host's copies, without the rest of the
# host's /usr/include (which is x86's).
for h in flatbuffers gemmlowp; do
  [ -d "/usr/include/$h" ] || die "/usr/include/$h missing (scripts/install-deps.sh installs it)"
  ln -sfn "/usr/include/$h" "$work/include/$h"
done
flatc --cpp -o "$work/generated/model" "$root/model/schema/tflite_subset.fbs"

# 1. Assembly, as model/CMakeLists.txt compiles these files on arm64 (Release).
if [ -z "$sources" ]; then
  sources=$(ls "$root"/model/fast/*_neon.cc "$root"/model/fast/*_neondot.cc 2>/dev/null || true)
fi
[ -n "$sources" ] || echo "note: no model/fast/*_neon.cc or *_neondot.cc: no arm64 forms to estimate" >&2
compile() {
  local src=$1 flags=()
  case "$src" in *_neondot.cc) flags=(-march=armv8.2-a+dotprod) ;; esac
  "$cxx" -std=c++17 -O3 -DNDEBUG -DVWW_FAST_ARM64=1 -DVWW_MCA_REGIONS "${flags[@]}" \
    -I"$root" -I"$work/generated" -isystem "$work/include" \
    -S -o "$work/asm/$(basename "${src%.cc}").s" "$src"
}
export -f compile
export cxx root work
# shellcheck disable=SC2086,SC2016
printf '%s\n' $sources | xargs -r -P 2 -I{} bash -c 'compile "$1"' _ {} ||
  die "compiling the arm64 kernel files failed (see above)"

# 2. llvm-mca per region and CPU.
python3 "$root/scripts/arm64-estimates.py" regions "$work/asm" "$work/regions.tsv"
if [ "$regions_only" = 1 ]; then
  cat "$work/regions.tsv"
  exit 0
fi
echo "llvm-mca regions ($(llvm-mca --version | sed -n 's/.*LLVM version //p' | head -n1 | sed 's/^/LLVM /')):"
if [ "$check" = 1 ]; then
  python3 "$root/scripts/arm64-estimates.py" check "$root/model/fast/forms.cc" "$work/regions.tsv"
  exit $?
fi
python3 "$root/scripts/arm64-estimates.py" check "$root/model/fast/forms.cc" "$work/regions.tsv" ||
  echo "(the forms above without a region or WORK rule are left out of the estimates below)"
echo

# 3. The nodes and their forms.
if [ -z "$arm64_vww" ] && [ -x "$root/build-arm64/app/vww" ]; then
  arm64_vww="$root/build-arm64/app/vww"
fi
if [ -n "$arm64_vww" ] && [ -z "$sysroot" ]; then
  cache="$(dirname "$(dirname "$arm64_vww")")/CMakeCache.txt"
  if [ -f "$cache" ]; then
    sysroot=$(sed -n 's/^VWW_ARM64_SYSROOT:[A-Z]*=//p' "$cache" | head -n1)
  fi
fi
specs=()
for m in $models; do
  stem=$(basename "${m%.tflite}")
  if [ -n "$arm64_vww" ]; then
    command -v qemu-aarch64 >/dev/null || die "qemu-aarch64 not found (apt-get install qemu-user)"
    qemu=(qemu-aarch64)
    [ -n "$sysroot" ] && qemu+=(-L "$sysroot")
    for cpu in cortex-a72 cortex-a76; do
      QEMU_CPU=$cpu "${qemu[@]}" "$arm64_vww" bench --model "$m" --backend fast --profile --json \
        --runs 1 --warmup 0 >"$work/profiles/$stem.$cpu.json" ||
        die "$arm64_vww bench --model $m under qemu-aarch64 (QEMU_CPU=$cpu) failed"
    done
    specs+=("$stem=$work/profiles/$stem.cortex-a72.json,$work/profiles/$stem.cortex-a76.json")
  else
    [ -x "$host_vww" ] ||
      die "no arm64 vww (build-arm64/app/vww or --arm64-vww) and no host vww at $host_vww (build it, or pass --host-vww)"
    "$host_vww" bench --model "$m" --backend fast --profile --json --runs 1 --warmup 0 \
      >"$work/profiles/$stem.host.json" || die "$host_vww bench --model $m failed"
    specs+=("$stem=$work/profiles/$stem.host.json,$work/profiles/$stem.host.json,computed")
  fi
done
python3 "$root/scripts/arm64-estimates.py" report "$root/model/fast/forms.cc" "$work/regions.tsv" \
  "$root/assets/boards.csv" "${specs[@]}"
