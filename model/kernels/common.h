// Prepare-time helpers shared by kernels: padding, per-channel multipliers,
// reading builtin options.
#pragma once

#include <cstdint>
#include <vector>

#include "model/kernel.h"
#include "model/tflite_subset_generated.h"

namespace vww {

enum class Padding : int8_t { kSame = 0, kValid = 1 };

// Output size of a windowed op along one axis, as TFLite computes it.
int ComputeOutSize(Padding padding, int in, int filter, int stride, int dilation);
// Padding before the first element (TFLite puts the odd pixel after).
int ComputePadding(int stride, int dilation, int in, int filter, int out);

// One (multiplier, shift) per output channel: input_scale * filter_scale[c] /
// output_scale, computed in double as TFLite does.
void PerChannelMultipliers(const Tensor& input, const Tensor& filter, const Tensor& output,
                           int channels, std::vector<int32_t>* multipliers,
                           std::vector<int32_t>* shifts);

// Fused activation clamp for an int8 / uint8 output; fails the node for
// activations that are not clamps.
void OutputActivationRange(const Node& node, int activation, const Tensor& output,
                           int32_t* act_min, int32_t* act_max);

namespace ref {
struct PoolParams;
}  // namespace ref

// AVERAGE_POOL_2D and MAX_POOL_2D share their checks: one int8 NHWC input and
// output with equal quantization, Pool2DOptions, the output size TFLite
// computes, and no window that lies wholly in the padding. Fills *p or fails.
// Defined in average_pool.cc.
void PreparePool2D(Node& node, ref::PoolParams* p);

// Builtin options of the expected type, or nullptr when the file has none.
template <typename T>
const T* Options(const Node& node) {
  return node.op->builtin_options_as<T>();
}

}  // namespace vww
