// CONV_2D, int8 with per-channel (or per-tensor) int8 weights and int32 bias.
#include <vector>

#include "model/kernels/conv_common.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace ref {

void Conv2DPerChannel(const ConvParams& p, const int32_t* multipliers, const int32_t* shifts,
                      const Shape& input_shape, const int8_t* input, const Shape& filter_shape,
                      const int8_t* filter, const int32_t* bias, const Shape& output_shape,
                      int8_t* output) {
  const int batches = input_shape[0], in_h = input_shape[1], in_w = input_shape[2],
            in_c = input_shape[3];
  const int filter_h = filter_shape[1], filter_w = filter_shape[2];
  const int out_h = output_shape[1], out_w = output_shape[2], out_c = output_shape[3];
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * p.stride_h - p.pad_h;
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * p.stride_w - p.pad_w;
        for (int oc = 0; oc < out_c; ++oc) {
          int32_t acc = 0;
          for (int fy = 0; fy < filter_h; ++fy) {
            const int in_y = in_y0 + p.dilation_h * fy;
            if (in_y < 0 || in_y >= in_h) continue;  // padding contributes real zero
            for (int fx = 0; fx < filter_w; ++fx) {
              const int in_x = in_x0 + p.dilation_w * fx;
              if (in_x < 0 || in_x >= in_w) continue;
              const int8_t* in_px = input + ((b * in_h + in_y) * in_w + in_x) * in_c;
              const int8_t* w = filter + ((oc * filter_h + fy) * filter_w + fx) * in_c;
              for (int ic = 0; ic < in_c; ++ic) acc += w[ic] * (in_px[ic] + p.input_offset);
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

}  // namespace ref

namespace {
bool Prepare(Node& node) {
  return PrepareReferenceConv(node, ConvKind::kConv2D, ref::Conv2DPerChannel);
}
}  // namespace

extern const KernelRegistration kConv2DReference = {kOpConv2D, Prepare};

}  // namespace vww
