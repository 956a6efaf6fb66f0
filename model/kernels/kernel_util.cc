#include "model/kernels/kernel_util.h"

#include <algorithm>

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

int ComputeOutSize(Padding padding, int in, int filter, int stride, int dilation) {
  const int effective = (filter - 1) * dilation + 1;
  if (padding == Padding::kSame) return (in + stride - 1) / stride;
  return (in - effective + stride) / stride;
}

int ComputePadding(int stride, int dilation, int in, int filter, int out) {
  const int effective = (filter - 1) * dilation + 1;
  const int total = (out - 1) * stride + effective - in;
  return std::max(total / 2, 0);
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
