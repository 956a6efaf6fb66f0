// MEAN's prepare, shared by the reference kernel and the fast one
// (model/fast/mean.cc), so both run from the same integer parameters.
#pragma once

#include "model/kernel.h"
#include "model/kernels/reference.h"

namespace vww {

// Validates the node (int8 or uint8, constant axes, output shape, per-tensor
// quantization) and fills *p as TFLite Micro's prepare does; fails the node
// (throws Error) otherwise.
void PrepareMean(const Node& node, ref::MeanParams* p);

}  // namespace vww
