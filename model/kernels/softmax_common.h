// SOFTMAX's prepare, shared by the reference kernel and the fast table
// (model/fast/softmax.cc), so both run from the same fixed-point parameters.
#pragma once

#include "model/kernel.h"
#include "model/kernels/reference.h"

namespace vww {

// Validates the node (int8 in and out, equal shapes, output scale 1/256 and
// zero point -128) and fills *p as TFLite does; fails the node otherwise.
void PrepareSoftmax(const Node& node, ref::SoftmaxParams* p);

}  // namespace vww
