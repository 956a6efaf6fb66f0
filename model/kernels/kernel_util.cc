#include "model/kernels/kernel_util.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>

#include "model/model.h"
#include "model/quantization.h"

namespace vww {

std::string Node::where() const {
  return "node " + std::to_string(index) + " (" + BuiltinOpName(opcode) + ")";
}

void Fail(const Node& node, const std::string& message) {
  throw Error(node.where() + ": " + message);
}

void Expect(const Node& node, bool condition, const char* message) {
  if (!condition) Fail(node, message);
}

void ExpectType(const Node& node, const Tensor* t, DType type, const char* which) {
  if (!t) Fail(node, std::string(which) + " is missing");
  if (t->type != type)
    Fail(node,
         std::string(which) + " has type " + DTypeName(t->type) + ", expected " + DTypeName(type));
}

void ExpectArity(const Node& node, size_t min_inputs, size_t max_inputs, size_t outputs) {
  if (node.inputs.size() < min_inputs || node.inputs.size() > max_inputs)
    Fail(node, "has " + std::to_string(node.inputs.size()) + " inputs");
  if (node.outputs.size() != outputs)
    Fail(node, "has " + std::to_string(node.outputs.size()) + " outputs");
  for (size_t i = 0; i < min_inputs; ++i)
    if (!node.inputs[i]) Fail(node, "required input " + std::to_string(i) + " is missing");
}

WindowAxis ComputeWindow(const Node& node, const char* axis, Padding padding, int in, int filter,
                         int stride, int dilation) {
  // Every term is at most 2^31, so int64 holds each product and sum below.
  const int64_t effective = (int64_t{filter} - 1) * dilation + 1;
  const int64_t out = padding == Padding::kSame ? (int64_t{in} + stride - 1) / stride
                                                : (int64_t{in} - effective + stride) / stride;
  if (out <= 0)
    Fail(node, std::string("the ") + axis + " window leaves an empty output (input " +
                   std::to_string(in) + ", dilated filter " + std::to_string(effective) + ")");
  const int64_t total = (out - 1) * stride + effective - in;
  const int64_t pad = std::max<int64_t>(total / 2, 0);
  // The largest coordinate a kernel forms is (out - 1) * stride + (filter -
  // 1) * dilation, the smallest -pad; both, and the padded extent the fast
  // kernels size buffers by, must fit in int.
  const int64_t extent = (out - 1) * stride + effective + pad;
  if (extent > INT32_MAX)
    Fail(node, std::string("the ") + axis + " window (stride " + std::to_string(stride) +
                   ", dilation " + std::to_string(dilation) + ", filter " + std::to_string(filter) +
                   ") spans more than 2^31 elements");
  return {static_cast<int>(out), static_cast<int>(pad)};
}

void ExpectAccumulatorFits(const Node& node, const Tensor& input, const int8_t* weights,
                           int channels, int64_t taps, int64_t channel_stride, int64_t tap_stride,
                           int32_t filter_zero_point, const int32_t* bias) {
  // The input is int8: x - zp lies in [-128 - zp, 127 - zp].
  const int64_t zp = input.zero_point;
  const int64_t max_x = std::max(std::abs(-128 - zp), std::abs(127 - zp));
  constexpr int64_t kLimit = int64_t{1} << 31;
  for (int c = 0; c < channels; ++c) {
    // Each tap adds at most 255 * 256 < 2^16, so after at most 2^30
    // elements (the loader's cap) the sums below stay far inside int64.
    int64_t sum_w = 0;
    if (weights) {
      const int8_t* w = weights + c * channel_stride;
      for (int64_t k = 0; k < taps; ++k)
        sum_w += std::abs(int64_t{w[k * tap_stride]} - filter_zero_point);
    } else {  // weights computed at run time: any int8 value
      sum_w = taps * (128 + std::abs(int64_t{filter_zero_point}));
    }
    const int64_t worst = sum_w * max_x + (bias ? std::abs(int64_t{bias[c]}) : 0);
    if (worst >= kLimit)
      Fail(node, "output channel " + std::to_string(c) + " can overflow the int32 accumulator (" +
                     std::to_string(taps) + " terms, worst case " + std::to_string(worst) +
                     " >= 2^31)");
  }
}

void PerChannelMultipliers(const Tensor& input, const Tensor& filter, const Tensor& output,
                           int channels, std::vector<int32_t>* multipliers,
                           std::vector<int32_t>* shifts) {
  multipliers->resize(channels);
  shifts->resize(channels);
  const bool per_channel = filter.channel_scales.size() > 1;
  for (int c = 0; c < channels; ++c) {
    const double filter_scale = per_channel ? filter.channel_scales[c] : filter.scale;
    const double effective =
        static_cast<double>(input.scale) * filter_scale / static_cast<double>(output.scale);
    int shift = 0;
    QuantizeMultiplier(effective, &(*multipliers)[c], &shift);
    (*shifts)[c] = shift;
  }
}

void OutputActivationRange(const Node& node, int activation, const Tensor& output, int32_t* act_min,
                           int32_t* act_max) {
  const int32_t qmin = output.type == DType::kUInt8 ? 0 : -128;
  const int32_t qmax = output.type == DType::kUInt8 ? 255 : 127;
  if (!ActivationRange(activation, output.scale, output.zero_point, qmin, qmax, act_min, act_max))
    Fail(node, "fused activation " + std::to_string(activation) + " is not supported");
}

}  // namespace vww
