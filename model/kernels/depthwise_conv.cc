// DEPTHWISE_CONV_2D, int8 with per-channel int8 weights, any depth multiplier.
#include <vector>

#include "model/kernels/conv_common.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace ref {

void DepthwiseConv2DPerChannel(const ConvParams& p, const int32_t* multipliers,
                               const int32_t* shifts, const Shape& input_shape, const int8_t* input,
                               const Shape& filter_shape, const int8_t* filter, const int32_t* bias,
                               const Shape& output_shape, int8_t* output) {
  const int batches = input_shape[0], in_h = input_shape[1], in_w = input_shape[2],
            in_c = input_shape[3];
  const int filter_h = filter_shape[1], filter_w = filter_shape[2];
  const int out_h = output_shape[1], out_w = output_shape[2], out_c = output_shape[3];
  const int m_count = p.depth_multiplier;
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * p.stride_h - p.pad_h;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * p.stride_w - p.pad_w;
        for (int ic = 0; ic < in_c; ++ic) {
          for (int m = 0; m < m_count; ++m) {
            const int oc = ic * m_count + m;
            int32_t acc = 0;
            for (int fy = 0; fy < filter_h; ++fy) {
              const int in_y = in_y0 + p.dilation_h * fy;
              if (in_y < 0 || in_y >= in_h) continue;
              for (int fx = 0; fx < filter_w; ++fx) {
                const int in_x = in_x0 + p.dilation_w * fx;
                if (in_x < 0 || in_x >= in_w) continue;
                const int32_t v = input[((b * in_h + in_y) * in_w + in_x) * in_c + ic];
                const int32_t w = filter[(fy * filter_w + fx) * out_c + oc];
                acc += w * (v + p.input_offset);
              }
            }
            if (bias) acc = SaturatingAdd(acc, bias[oc]);
            acc = ScaleToOutput(acc, multipliers[oc], shifts[oc], p.output_offset, p.act_min,
                                p.act_max);
            output[((b * out_h + oy) * out_w + ox) * out_c + oc] = static_cast<int8_t>(acc);
          }
        }
      }
    }
  }
}

}  // namespace ref

namespace {
bool Prepare(Node& node) {
  return PrepareReferenceConv(node, ConvKind::kDepthwiseConv2D, ref::DepthwiseConv2DPerChannel);
}
}  // namespace

extern const KernelRegistration kDepthwiseConv2DReference = {kOpDepthwiseConv2D, Prepare};

}  // namespace vww
