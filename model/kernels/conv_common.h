// The prepare CONV_2D and DEPTHWISE_CONV_2D share (output size, padding,
// per-channel multipliers, activation range); the fast kernels reuse it.
#pragma once

#include <cstdint>
#include <vector>

#include "model/kernel.h"
#include "model/kernels/reference.h"

namespace vww {

enum class ConvKind { kConv2D, kDepthwiseConv2D };

// What prepare computes once for a convolution node.
struct PreparedConv {
  ref::ConvParams params;
  std::vector<int32_t> multipliers, shifts;  // one per output channel
};

// Checks a CONV_2D (filter [Cout,KH,KW,Cin]) or DEPTHWISE_CONV_2D (filter
// [1,KH,KW,C*M]) node: int8 NHWC tensors, constant symmetric weights, int32
// bias, the output size TFLite computes. Fills *c or fails the node.
void PrepareConv(const Node& node, ConvKind kind, PreparedConv* c);

// The reference kernels of both kinds share this signature.
using ConvFn = void (*)(const ref::ConvParams& p, const int32_t* multipliers, const int32_t* shifts,
                        const Shape& input_shape, const int8_t* input, const Shape& filter_shape,
                        const int8_t* filter, const int32_t* bias, const Shape& output_shape,
                        int8_t* output);

// The reference prepare of either kind: PrepareConv, then eval calls `run`.
bool PrepareReferenceConv(Node& node, ConvKind kind, ConvFn run);

}  // namespace vww
