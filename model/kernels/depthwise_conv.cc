// DEPTHWISE_CONV_2D, int8 with per-channel int8 weights, any depth multiplier.
#include <vector>

#include "model/kernels/common.h"
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

struct DepthwiseData : OpData {
  ref::ConvParams params;
  std::vector<int32_t> multipliers, shifts;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<DepthwiseData>();
  const Tensor& in = *node.inputs[0];
  const Tensor& filter = *node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  Tensor& out = *node.outputs[0];
  ref::DepthwiseConv2DPerChannel(d.params, d.multipliers.data(), d.shifts.data(), in.shape,
                                 in.data_as<int8_t>(), filter.shape, filter.data_as<int8_t>(),
                                 bias ? bias->data_as<int32_t>() : nullptr, out.shape,
                                 out.data_as<int8_t>());
}

bool Prepare(Node& node) {
  ExpectArity(node, 2, 3, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* filter = node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  const Tensor* out = node.outputs[0];
  ExpectType(node, in, DType::kInt8, "input");
  ExpectType(node, filter, DType::kInt8, "filter");
  ExpectType(node, out, DType::kInt8, "output");
  if (bias) ExpectType(node, bias, DType::kInt32, "bias");
  Expect(node, in->shape.rank == 4 && filter->shape.rank == 4 && out->shape.rank == 4,
         "input, filter and output must be 4-D (NHWC)");
  Expect(node, filter->is_constant, "filter must be constant");
  Expect(node, !bias || bias->is_constant, "bias must be constant");
  Expect(node, in->quantized && filter->quantized && out->quantized,
         "input, filter and output must be quantized");
  Expect(node, filter->shape[0] == 1, "filter must be [1, KH, KW, C*M]");

  const auto* o = Options<tflite::DepthwiseConv2DOptions>(node);
  Expect(node, o != nullptr, "missing DepthwiseConv2DOptions");
  const int in_c = in->shape[3];
  const int out_c = filter->shape[3];
  Expect(node, in_c > 0 && out_c % in_c == 0, "filter depth must be a multiple of input depth");
  // Converters sometimes store depth_multiplier inconsistently; the shapes
  // are authoritative, as in TFLite.
  const int multiplier = out_c / in_c;
  Expect(node, out->shape[3] == out_c, "output depth differs from filter depth");
  Expect(node, out->shape[0] == in->shape[0], "batch size differs between input and output");
  Expect(node, !bias || bias->shape.elements() == out_c, "bias size differs from output depth");
  Expect(node, filter->channel_scales.size() == 1 || filter->channel_scales.size() == size_t(out_c),
         "filter needs one scale or one per output channel");
  for (int32_t zp : filter->channel_zero_points)
    Expect(node, zp == 0, "filter zero point must be 0 (symmetric weights)");

  auto data = std::make_unique<DepthwiseData>();
  ref::ConvParams& p = data->params;
  p.stride_h = o->stride_h();
  p.stride_w = o->stride_w();
  p.dilation_h = o->dilation_h_factor();
  p.dilation_w = o->dilation_w_factor();
  p.depth_multiplier = multiplier;
  Expect(node, p.stride_h > 0 && p.stride_w > 0 && p.dilation_h > 0 && p.dilation_w > 0,
         "strides and dilations must be positive");
  Expect(node, o->padding() == 0 || o->padding() == 1, "unknown padding");
  const Padding padding = static_cast<Padding>(o->padding());
  const int fh = filter->shape[1], fw = filter->shape[2];
  const int oh = ComputeOutSize(padding, in->shape[1], fh, p.stride_h, p.dilation_h);
  const int ow = ComputeOutSize(padding, in->shape[2], fw, p.stride_w, p.dilation_w);
  if (oh != out->shape[1] || ow != out->shape[2])
    Fail(node, "output shape " + out->shape.str() + " does not match the computed " +
                   std::to_string(oh) + "x" + std::to_string(ow));
  p.pad_h = ComputePadding(p.stride_h, p.dilation_h, in->shape[1], fh, oh);
  p.pad_w = ComputePadding(p.stride_w, p.dilation_w, in->shape[2], fw, ow);
  p.input_offset = -in->zero_point;
  p.output_offset = out->zero_point;
  OutputActivationRange(node, o->fused_activation_function(), *out, &p.act_min, &p.act_max);
  PerChannelMultipliers(*in, *filter, *out, out_c, &data->multipliers, &data->shifts);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kDepthwiseConv2DReference = {kOpDepthwiseConv2D, Prepare};

}  // namespace vww
