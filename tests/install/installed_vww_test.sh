#!/usr/bin/env bash
# An installed vww runs on its own, with the source and build trees out of reach.
#   installed_vww_test.sh deb    SRC BUILD VERSION   scripts/package.sh, then dpkg-deb -x
#   installed_vww_test.sh prefix SRC BUILD VERSION   cmake --install BUILD --prefix TMP
# Then, in a clean environment (env -i) and, as root, in a mount namespace
# where SRC and BUILD are empty tmpfs mounts: vww --version names the
# installed data folder; vww classify and vww run --frames 10 --headless
# (the bundled sample video) print the scores of tests/data/reference, which
# come from TFLite Micro, not from vww.
# VWW_EMULATOR (set by CTest for a cross build): the command that runs an
# arm64 vww on this machine ("qemu-aarch64 -L SYSROOT").
set -euo pipefail
mode="$1" src="$(realpath "$2")" build="$(realpath "$3")" version="$4"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$mode" = deb ]; then
  deb="$(BUILD_DIR="$build" "$src/scripts/package.sh" "$tmp/out" | tail -n 1)"
  arch="$(dpkg --print-architecture)"
  [ "$(basename "$deb")" = "vww_${version}_${arch}.deb" ] || fail "package name $(basename "$deb")"
  [ "$(dpkg-deb -f "$deb" Package)" = vww ] || fail "Package field"
  [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version field"
  depends="$(dpkg-deb -f "$deb" Depends)"
  echo "Depends: $depends"
  # dpkg-shlibdeps: versioned dependencies on the libraries vww links.
  for lib in libc6 'libstdc\+\+6' 'libopencv-core[0-9.a-z]*' 'libopencv-videoio[0-9.a-z]*' 'libv4l-0'; do
    grep -Eq "(^|, )$lib \(>= [^)]+\)" <<<"$depends" || fail "Depends lacks $lib: $depends"
  done
  listing="$(dpkg-deb -c "$deb")"
  for f in ./usr/bin/vww ./usr/share/vww/person_detect.tflite ./usr/share/vww/person_detect.labels.txt \
           ./usr/share/vww/vtest_person.avi ./usr/share/vww/boards.csv \
           ./usr/share/doc/vww/copyright ./usr/share/doc/vww/LICENSE.person_detect; do
    grep -q " $f\$" <<<"$listing" || fail "$f not in the package"
  done
  dpkg-deb -x "$deb" "$tmp/root"
  prefix="$tmp/root/usr"
else
  prefix="$tmp/prefix"
  cmake --install "$build" --prefix "$prefix" >/dev/null
fi
[ -x "$prefix/bin/vww" ] || fail "no $prefix/bin/vww"
for f in person_detect.tflite person_detect.labels.txt mlperf_vww.tflite vtest_person.avi boards.csv; do
  cmp -s "$src/assets/$f" "$prefix/share/vww/$f" || fail "share/vww/$f differs from assets/$f"
done
[ -s "$prefix/share/doc/vww/copyright" ] || fail "no share/doc/vww/copyright"

# What the runs need from the trees that are about to vanish.
cp "$src/tests/data/images/person/camera.png" "$tmp/camera.png"
cp "$src/tests/data/reference/images.crop.csv" "$src/tests/data/reference/vtest_person.crop.csv" "$tmp/"

cat >"$tmp/runs.sh" <<'RUNS'
set -eu
vww="$1" tmp="$2"
shift 2
emulator=("$@")  # empty, or the emulator that runs a cross-built vww
cd "$tmp"
"${emulator[@]}" "$vww" --version >"$tmp/version.txt"
"${emulator[@]}" "$vww" classify "$tmp/camera.png" >"$tmp/classify.txt"
source=()
ls /dev/video* >/dev/null 2>&1 && source=(--source "$(dirname "$vww")/../share/vww/vtest_person.avi")
"${emulator[@]}" "$vww" run --frames 10 --headless "${source[@]}" >"$tmp/run.txt" 2>"$tmp/run.err"
"${emulator[@]}" "$vww" run --frames 10 --headless --backend reference "${source[@]}" \
  >"$tmp/run-reference.txt" 2>/dev/null
RUNS
# A sanitizer build (scripts/test.sh --asan) keeps its options; the leak
# suppressions file moves out of the source tree with the rest.
keep=()
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
  [ -n "${!v:-}" ] || continue
  value="${!v}"
  if [[ "$value" =~ suppressions=([^:]+) ]]; then
    cp "${BASH_REMATCH[1]}" "$tmp/$v.supp"
    value="${value//${BASH_REMATCH[1]}/$tmp/$v.supp}"
  fi
  keep+=("$v=$value")
done
read -r -a emulator <<<"${VWW_EMULATOR:-}"
isolated=no
if [ "$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
  hide="mount -t tmpfs none '$src'"
  case "$build/" in "$src"/*) ;; *) hide="$hide && mount -t tmpfs none '$build'" ;; esac
  unshare --mount bash -c "$hide && test ! -e '$src/assets' && test ! -e '$build/CMakeCache.txt' &&
    env -i PATH=/usr/bin:/bin HOME='$tmp' ${keep[*]} bash '$tmp/runs.sh' '$prefix/bin/vww' '$tmp' ${emulator[*]}"
  isolated=yes
else
  [ "${CI:-}" = true ] && fail "cannot hide the trees (needs root and unshare) and CI=true"
  env -i PATH=/usr/bin:/bin HOME="$tmp" "${keep[@]}" bash "$tmp/runs.sh" "$prefix/bin/vww" "$tmp" "${emulator[@]}"
fi
echo "trees hidden: $isolated"

data="$(realpath "$prefix/share/vww")"
grep -qx "vww $version" "$tmp/version.txt" || fail "--version: $(cat "$tmp/version.txt")"
grep -Eq '^fast kernels: (portable|avx2|avx512vnni|avx512vbmi|neon|neondot)$' "$tmp/version.txt" ||
  fail "--version lacks the kernel level: $(cat "$tmp/version.txt")"
grep -qx "data: $data" "$tmp/version.txt" || fail "--version data folder: $(cat "$tmp/version.txt")"

# TFLite Micro's int8 outputs for camera.png; P = (q + 128) / 256.
expect="$(awk -F, '$2 == "person/camera.png" {
  printf "  no person: %.5f\n  person: %.5f\n", ($3 + 128) / 256, ($4 + 128) / 256 }' "$tmp/images.crop.csv")"
[ "$(tail -n 2 "$tmp/classify.txt")" = "$expect" ] ||
  fail "classify: $(cat "$tmp/classify.txt") (want $expect)"

[ "$(grep -c '^Predictions' "$tmp/run.txt")" = 10 ] || fail "run: not 10 predictions: $(cat "$tmp/run.txt")"
want="$(awk -F, 'NR > 1 && NR <= 11 { printf "  person: %.5f\n", ($3 + 128) / 256 }' "$tmp/vtest_person.crop.csv")"
# The video's references come from the frames x86-64's FFmpeg decodes; Debian's
# arm64 FFmpeg gives other bytes (tests/video_reference.h),
# so there the run must give the installed reference backend's scores.
if ! file -L "$prefix/bin/vww" | grep -q 'x86-64'; then
  want="$(grep '^  person: ' "$tmp/run-reference.txt")"
  [ "$(wc -l <<<"$want")" = 10 ] || fail "run --backend reference: $(cat "$tmp/run-reference.txt")"
fi
got="$(grep '^  person: ' "$tmp/run.txt")"
[ "$got" = "$want" ] || fail "run scores differ from the reference: $got (want $want)"
grep -q '^summary: 10 frames' "$tmp/run.err" || fail "run summary: $(cat "$tmp/run.err")"
if ! ls /dev/video* >/dev/null 2>&1; then
  grep -q "playing the sample video $data/vtest_person.avi" "$tmp/run.err" ||
    fail "the sample video did not come from $data: $(cat "$tmp/run.err")"
fi
echo "OK: $mode install at $prefix runs: $(head -n 2 "$tmp/version.txt" | tr '\n' ' ')"
