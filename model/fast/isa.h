// model/fast/: optimized kernels that take nodes from the reference ones,
// bit-exact with them, picking the best instruction set the CPU has at run time.
//
// Each kernel family has a portable C++ path and paths for one processor
// family's vector units: on x86-64 AVX2 and AVX-512 VNNI (some also a VBMI
// form), on arm64 NEON (Raspberry Pi 4) and NEON with the dot product (Pi 5).
// The ISA-specific files are compiled with their own flags
// (model/CMakeLists.txt), so the binary runs on any CPU of its architecture,
// and prepare picks the best path the CPU supports.
#pragma once

#include <vector>

namespace vww::fast {

// Two families of levels above the portable one. Within a family each level
// includes the ones below it; every level includes kPortable; a level of one
// family never includes one of the other.
//   x86-64: kAvx2 < kAvx512Vnni (AVX-512 F/BW/VL + VNNI without VBMI: Cascade
//           Lake) < kAvx512Vbmi (adds vpermb: Ice Lake, Zen 4).
//   arm64:  kNeon (ARMv8.0 Advanced SIMD: Cortex-A72, Pi 4) < kNeonDot (adds
//           sdot/udot, ARMv8.2 dotprod: Cortex-A76, Pi 5).
enum class Isa {
  kPortable = 0,
  kAvx2 = 1,
  kAvx512Vnni = 2,
  kAvx512Vbmi = 3,
  kNeon = 4,
  kNeonDot = 5
};

// "portable", "avx2", "avx512vnni", "avx512vbmi", "neon", "neondot"
const char* IsaName(Isa isa);
Isa ParseIsa(const char* name);  // throws vww::Error

// Every level, lowest first within each family.
std::vector<Isa> AllIsas();

// The best ISA this CPU (and this build) supports.
Isa DetectIsa();
// What prepare uses: DetectIsa(), or a lower level forced with SetIsaOverride
// (tests run every path; the benchmark compares them). A level the detected
// one does not include (above it, or of the other family) is clamped to the
// detected level, so an override can never crash.
Isa ActiveIsa();
// Affects interpreters created afterwards; not thread-safe (set it up front).
void SetIsaOverride(Isa isa);
void ClearIsaOverride();

// True for both AVX-512 levels (the 16-lane kernels).
inline bool IsAvx512(Isa isa) { return isa == Isa::kAvx512Vnni || isa == Isa::kAvx512Vbmi; }
// True for both arm64 levels.
inline bool IsNeon(Isa isa) { return isa == Isa::kNeon || isa == Isa::kNeonDot; }
// a includes b: b is portable, or both are of one family and a is at least b.
inline bool IsaIncludes(Isa a, Isa b) {
  if (b == Isa::kPortable) return true;
  if (IsNeon(a) != IsNeon(b)) return false;
  return static_cast<int>(a) >= static_cast<int>(b);
}

// The levels this CPU can run (those DetectIsa() includes), lowest first.
std::vector<Isa> RunnableIsas();

}  // namespace vww::fast
