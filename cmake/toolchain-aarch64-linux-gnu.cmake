# Cross-building VWW Live for arm64 (Raspberry Pi 4 / 5 class boards) on a
# Debian amd64 machine: Debian's g++-aarch64-linux-gnu against an arm64 sysroot
# (the project's -dev packages, made by scripts/cross-arm64.sh), tests run under
# qemu-user. Use:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake \
#         -DVWW_ARM64_SYSROOT=/path/to/sysroot
# The sysroot path is kept in the CMake cache (later runs need not repeat it).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

# try_compile projects read this file again: hand them the sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VWW_ARM64_SYSROOT)
if(NOT VWW_ARM64_SYSROOT AND DEFINED ENV{VWW_ARM64_SYSROOT})
  set(VWW_ARM64_SYSROOT "$ENV{VWW_ARM64_SYSROOT}")
endif()
if(NOT VWW_ARM64_SYSROOT OR NOT EXISTS "${VWW_ARM64_SYSROOT}/usr/include")
  message(FATAL_ERROR "VWW_ARM64_SYSROOT (\"${VWW_ARM64_SYSROOT}\") is not an arm64 sysroot: "
                      "scripts/cross-arm64.sh makes one and passes it")
endif()
set(VWW_ARM64_SYSROOT "${VWW_ARM64_SYSROOT}" CACHE PATH "arm64 sysroot (scripts/cross-arm64.sh)")

set(CMAKE_SYSROOT "${VWW_ARM64_SYSROOT}")
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Libraries, headers and CMake packages from the sysroot only; programs run at
# build time (flatc) from the machine itself.
set(CMAKE_FIND_ROOT_PATH "${VWW_ARM64_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (libmosquitto, cpp-httplib): the sysroot's .pc files, paths
# prefixed with the sysroot.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${VWW_ARM64_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
    "${VWW_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${VWW_ARM64_SYSROOT}/usr/share/pkgconfig")
unset(ENV{PKG_CONFIG_PATH})

# CTest, gtest_discover_tests and the tests that exec `vww` run arm64 programs
# through qemu-user, with the sysroot as the root for the loader and libraries
# (binfmt_misc is not available in containers, so nothing runs by itself).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L "${VWW_ARM64_SYSROOT}")
