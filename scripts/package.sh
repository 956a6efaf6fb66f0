#!/usr/bin/env bash
# Builds the Debian package: vww_<version>_<arch>.deb, made by CPack, its
# dependencies computed by dpkg-shlibdeps.
#   scripts/package.sh [OUT_DIR]      (default: the current folder)
# BUILD_DIR (default build-package): a Release build made for this; an
# existing, configured BUILD_DIR is packaged as it is (the tests package their
# own build that way).
# Install it with:  sudo apt install ./vww_<version>_<arch>.deb
set -euo pipefail
out="$(realpath -m "${1:-.}")"
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build="${BUILD_DIR:-build-package}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DVWW_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
fi
cmake --build "$build" --target vww -j "$(nproc)"
mkdir -p "$out"
(cd "$build" && cpack -G DEB -B "$out/_cpack" >/dev/null)
deb="$(find "$out/_cpack" -maxdepth 1 -name 'vww_*.deb' | head -n 1)"
[ -n "$deb" ] || { echo "error: cpack made no .deb (see $out/_cpack)" >&2; exit 1; }
mv -f "$deb" "$out/"
rm -rf "$out/_cpack"
echo "$out/$(basename "$deb")"
