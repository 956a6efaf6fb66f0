// Helpers every kernel's prepare uses: failing a node with a one-line message,
// checking arity and types, reading options, window geometry, requantization.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/kernel.h"
#include "model/tensor.h"
#include "model/tflite_subset_generated.h"

namespace vww {

// Throws Error("node 3 (CONV_2D): message").
[[noreturn]] void Fail(const Node& node, const std::string& message);
void Expect(const Node& node, bool condition, const char* message);
void ExpectType(const Node& node, const Tensor* t, DType type, const char* which);
// Number of inputs/outputs (counting omitted optional ones).
void ExpectArity(const Node& node, size_t min_inputs, size_t max_inputs, size_t outputs);

// Builtin options of the expected type, or nullptr when the file has none.
template <typename T>
const T* Options(const Node& node) {
  return node.op->builtin_options_as<T>();
}

// Window geometry of the convolutions and pools.
enum class Padding : int8_t { kSame = 0, kValid = 1 };
// Output size of a windowed op along one axis, as TFLite computes it.
int ComputeOutSize(Padding padding, int in, int filter, int stride, int dilation);
// Padding before the first element (TFLite puts the odd pixel after).
int ComputePadding(int stride, int dilation, int in, int filter, int out);

// One (multiplier, shift) per output channel: input_scale * filter_scale[c] /
// output_scale, computed in double as TFLite does (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED).
void PerChannelMultipliers(const Tensor& input, const Tensor& filter, const Tensor& output,
                           int channels, std::vector<int32_t>* multipliers,
                           std::vector<int32_t>* shifts);

// Fused activation clamp for an int8 / uint8 output; fails the node for
// activations that are not clamps.
void OutputActivationRange(const Node& node, int activation, const Tensor& output, int32_t* act_min,
                           int32_t* act_max);

}  // namespace vww
