// A loop of known cost for tests/arm64_estimates_test.sh: each iteration is 4
// dependent 32-bit MULs, and the Arm Cortex-A72 Software Optimization Guide
// gives MUL (W form) an execution latency of 3 cycles, so the marked loop
// costs 4 x 3 = 12 cycles per iteration on a Cortex-A72 (the loop counter
// and branch run beside the chain). The chain is written in asm so that the
// compiler cannot change it.
#include "model/fast/mca_region.h"

int MulChain(int x, int n) {
  for (int i = 0; i < n; ++i) {
    VWW_MCA_BEGIN("test-mul-chain");
    asm volatile(
        "mul %w0, %w0, %w0\n\t"
        "mul %w0, %w0, %w0\n\t"
        "mul %w0, %w0, %w0\n\t"
        "mul %w0, %w0, %w0"
        : "+r"(x));
    VWW_MCA_END();
  }
  return x;
}
