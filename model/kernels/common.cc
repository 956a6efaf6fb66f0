#include "model/kernels/common.h"

#include <algorithm>

#include "model/quantization.h"

namespace vww {

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

void OutputActivationRange(const Node& node, int activation, const Tensor& output,
                           int32_t* act_min, int32_t* act_max) {
  const int32_t qmin = output.type == DType::kUInt8 ? 0 : -128;
  const int32_t qmax = output.type == DType::kUInt8 ? 255 : 127;
  if (!ActivationRange(activation, output.scale, output.zero_point, qmin, qmax, act_min, act_max))
    Fail(node, "fused activation " + std::to_string(activation) + " is not supported");
}

}  // namespace vww
