// Marks a kernel's inner loop for llvm-mca (scripts/arm64-estimates.sh), which
// estimates cycles per iteration on CPUs we cannot run here (Cortex-A72 /
// A76, the Raspberry Pi 4 / 5). Only that script's assembly-only compile
// defines VWW_MCA_REGIONS; in every real build these are empty statements, so
// the markers cost nothing and cannot change the code that runs.
//
//   for (...) {
//     VWW_MCA_BEGIN("conv1x1-p4xc16-neondot");  // the form's table name
//     ...one iteration of the inner loop...
//     VWW_MCA_END();
//   }
#pragma once

#if defined(VWW_MCA_REGIONS)
#define VWW_MCA_BEGIN(name) asm volatile("# LLVM-MCA-BEGIN " name)
#define VWW_MCA_END() asm volatile("# LLVM-MCA-END")
#else
#define VWW_MCA_BEGIN(name) \
  do {                      \
  } while (0)
#define VWW_MCA_END() \
  do {                \
  } while (0)
#endif
