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
// One axis of a window: the output size TFLite computes and the padding
// before the first element (TFLite puts the odd pixel after).
struct WindowAxis {
  int out = 0;
  int pad = 0;
};
// Computed in 64 bits, as TFLite's padding.h does. Fails the node when a
// value the kernels compute in int (the dilated filter extent, the input
// coordinates out * stride - pad + tap * dilation) would not fit, or when
// the output is empty. `axis` names the axis in the error ("height").
WindowAxis ComputeWindow(const Node& node, const char* axis, Padding padding, int in, int filter,
                         int stride, int dilation);

// Fails the node when an int32 accumulator of a weighted op (CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED) can overflow for some input: for each
// output channel c, sum_k |w[c,k] - filter_zero_point| * max|x - input_zp|
// + |bias[c]| must stay below 2^31. Weight k of channel c is at
// weights[c * channel_stride + k * tap_stride], k < taps; weights == nullptr
// (not constant) assumes any int8 value.
void ExpectAccumulatorFits(const Node& node, const Tensor& input, const int8_t* weights,
                           int channels, int64_t taps, int64_t channel_stride, int64_t tap_stride,
                           int32_t filter_zero_point, const int32_t* bias);

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
