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

enum class Isa { kPortable = 0, kAvx2 = 1, kAvx512Vnni = 2 };

const char* IsaName(Isa isa);    // "portable", "avx2", "avx512vnni"
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

// AVX-512 VBMI (vpermb) on top of the active AVX-512 VNNI level: some kernels
// have a VBMI form. False whenever ActiveIsa() is below kAvx512Vnni.
bool ActiveVbmi();

}  // namespace vww::fast
