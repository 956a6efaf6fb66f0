#include "model/fast/isa.h"

#include <string>

#if defined(VWW_FAST_ARM64)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "model/model.h"

namespace vww::fast {

namespace {
bool g_overridden = false;
Isa g_override = Isa::kPortable;
}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kNeonDot:
      return "neondot";
    case Isa::kNeon:
      return "neon";
    case Isa::kAvx512Vbmi:
      return "avx512vbmi";
    case Isa::kAvx512Vnni:
      return "avx512vnni";
    case Isa::kAvx2:
      return "avx2";
    default:
      return "portable";
  }
}

Isa ParseIsa(const char* name) {
  const std::string n = name;
  if (n == "avx512vbmi" || n == "avx512") return Isa::kAvx512Vbmi;
  if (n == "avx512vnni") return Isa::kAvx512Vnni;
  if (n == "avx2") return Isa::kAvx2;
  if (n == "neondot") return Isa::kNeonDot;
  if (n == "neon") return Isa::kNeon;
  if (n == "portable") return Isa::kPortable;
  throw Error("unknown ISA '" + n +
              "' (use avx512vbmi, avx512vnni, avx2, neondot, neon or portable)");
}

std::vector<Isa> AllIsas() {
  return {Isa::kPortable,   Isa::kAvx2, Isa::kAvx512Vnni,
          Isa::kAvx512Vbmi, Isa::kNeon, Isa::kNeonDot};
}

std::vector<Isa> RunnableIsas() {
  std::vector<Isa> levels;
  for (Isa isa : AllIsas())
    if (IsaIncludes(DetectIsa(), isa)) levels.push_back(isa);
  return levels;
}

Isa DetectIsa() {
#if defined(VWW_FAST_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni"))
    return __builtin_cpu_supports("avx512vbmi") ? Isa::kAvx512Vbmi : Isa::kAvx512Vnni;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
#if defined(VWW_FAST_ARM64)
  // Advanced SIMD is part of every arm64 CPU Linux runs on; the dot product
  // (ARMv8.2 dotprod) is optional, and the kernel reports it in AT_HWCAP.
  return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) ? Isa::kNeonDot : Isa::kNeon;
#endif
  return Isa::kPortable;
}

Isa ActiveIsa() {
  static const Isa detected = DetectIsa();
  if (g_overridden && IsaIncludes(detected, g_override)) return g_override;
  return detected;
}

void SetIsaOverride(Isa isa) {
  g_overridden = true;
  g_override = isa;
}

void ClearIsaOverride() { g_overridden = false; }

}  // namespace vww::fast
