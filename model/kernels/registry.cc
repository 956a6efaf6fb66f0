// The kernel tables: one reference kernel per supported operator, and the
// optimized kernels that may take a node from it.
#include "model/kernel.h"

namespace vww {

extern const KernelRegistration kAveragePool2DReference;
extern const KernelRegistration kConv2DReference;
extern const KernelRegistration kDepthwiseConv2DReference;
extern const KernelRegistration kReshapeReference;
extern const KernelRegistration kSoftmaxReference;

namespace {
const KernelRegistration* const kReferenceKernels[] = {
    &kAveragePool2DReference, &kConv2DReference,  &kDepthwiseConv2DReference,
    &kReshapeReference,       &kSoftmaxReference,
};
}  // namespace

const KernelRegistration* FindReferenceKernel(int opcode) {
  for (const KernelRegistration* k : kReferenceKernels)
    if (k->opcode == opcode) return k;
  return nullptr;
}

const KernelRegistration* FindFastKernel(int opcode) {
  (void)opcode;
  return nullptr;
}

}  // namespace vww
