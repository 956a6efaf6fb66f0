// model/fast/: optimized kernels that take nodes from the reference ones,
// bit-exact with them, picking the best instruction set the CPU has at run time.
//
// Each kernel family has a portable C++ path, an AVX2 path and an AVX-512 VNNI
// path (some also a VBMI form); the ISA-specific files are
// compiled with their own flags (model/CMakeLists.txt), so the binary runs on
// any x86-64 (and any other CPU: there only the portable path is built), and
// prepare picks the best path the CPU supports.
#pragma once

namespace vww::fast {

// Levels in order: each includes the ones below it. kAvx512Vnni is AVX-512
// F/BW/VL + VNNI without VBMI (Cascade Lake); kAvx512Vbmi adds vpermb (Ice
// Lake, Zen 4).
enum class Isa { kPortable = 0, kAvx2 = 1, kAvx512Vnni = 2, kAvx512Vbmi = 3 };

const char* IsaName(Isa isa);    // "portable", "avx2", "avx512vnni", "avx512vbmi"
Isa ParseIsa(const char* name);  // throws vww::Error

// The best ISA this CPU (and this build) supports.
Isa DetectIsa();
// What prepare uses: DetectIsa(), or a lower level forced with SetIsaOverride
// (tests run every path; the benchmark compares them). A level above the
// detected one is clamped to it, so an override can never crash.
Isa ActiveIsa();
// Affects interpreters created afterwards; not thread-safe (set it up front).
void SetIsaOverride(Isa isa);
void ClearIsaOverride();

// True for both AVX-512 levels (the 16-lane kernels).
inline bool IsAvx512(Isa isa) {
  return static_cast<int>(isa) >= static_cast<int>(Isa::kAvx512Vnni);
}
// a includes b.
inline bool IsaIncludes(Isa a, Isa b) { return static_cast<int>(a) >= static_cast<int>(b); }

}  // namespace vww::fast
