// The kernel tables: one reference kernel per supported operator, and the
// optimized kernels that may take a node from it.
#include "model/kernel.h"

namespace vww {

extern const KernelRegistration kAddReference;
extern const KernelRegistration kAveragePool2DReference;
extern const KernelRegistration kConcatenationReference;
extern const KernelRegistration kConv2DReference;
extern const KernelRegistration kDepthwiseConv2DReference;
extern const KernelRegistration kDequantizeReference;
extern const KernelRegistration kFullyConnectedReference;
extern const KernelRegistration kLogisticReference;
extern const KernelRegistration kMaxPool2DReference;
extern const KernelRegistration kMeanReference;
extern const KernelRegistration kMulReference;
extern const KernelRegistration kPadReference;
extern const KernelRegistration kQuantizeReference;
extern const KernelRegistration kReshapeReference;
extern const KernelRegistration kSoftmaxReference;
extern const KernelRegistration kTransposeReference;

namespace {
const KernelRegistration* const kReferenceKernels[] = {
    &kAddReference,
    &kAveragePool2DReference,
    &kConcatenationReference,
    &kConv2DReference,
    &kDepthwiseConv2DReference,
    &kDequantizeReference,
    &kFullyConnectedReference,
    &kLogisticReference,
    &kMaxPool2DReference,
    &kMeanReference,
    &kMulReference,
    &kPadReference,
    &kQuantizeReference,
    &kReshapeReference,
    &kSoftmaxReference,
    &kTransposeReference,
};
}  // namespace

const KernelRegistration* FindReferenceKernel(int opcode) {
  for (const KernelRegistration* k : kReferenceKernels)
    if (k->opcode == opcode) return k;
  return nullptr;
}

// FindFastKernel (the optimized kernels) is defined in model/fast/registry.cc.

}  // namespace vww
