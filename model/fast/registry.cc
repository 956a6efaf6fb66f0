// The optimized kernels. The interpreter offers each node to the kernel for
// its opcode after the reference prepare has validated it; the kernel may
// decline (unsupported shapes), and the reference kernel then runs the node.
#include "model/kernel.h"

namespace vww {

extern const KernelRegistration kConv2DFast;
extern const KernelRegistration kDepthwiseConv2DFast;
extern const KernelRegistration kAveragePool2DFast;
extern const KernelRegistration kAddFast;
extern const KernelRegistration kQuantizeFast;
extern const KernelRegistration kPadFast;
extern const KernelRegistration kFullyConnectedFast;
extern const KernelRegistration kTransposeFast;

namespace {
const KernelRegistration* const kFastKernels[] = {
    &kConv2DFast, &kDepthwiseConv2DFast, &kAveragePool2DFast, &kAddFast, &kQuantizeFast,
    &kPadFast,    &kFullyConnectedFast,  &kTransposeFast,
};
}  // namespace

const KernelRegistration* FindFastKernel(int opcode) {
  for (const KernelRegistration* k : kFastKernels)
    if (k->opcode == opcode) return k;
  return nullptr;
}

}  // namespace vww
