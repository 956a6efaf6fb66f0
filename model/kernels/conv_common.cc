#include "model/kernels/conv_common.h"

#include <string>

#include "model/kernels/kernel_util.h"

namespace vww {

namespace {

// The options both convolution kinds carry.
struct ConvOptions {
  int stride_h, stride_w, dilation_h, dilation_w, padding, activation;
};

template <typename T>
ConvOptions ReadConvOptions(const T& o) {
  return {o.stride_h(),          o.stride_w(), o.dilation_h_factor(),
          o.dilation_w_factor(), o.padding(),  o.fused_activation_function()};
}

struct ReferenceConvData : OpData {
  PreparedConv conv;
  ConvFn run = nullptr;
};

void EvalReferenceConv(const Node& node) {
  const auto& d = node.data_as<ReferenceConvData>();
  const Tensor& in = *node.inputs[0];
  const Tensor& filter = *node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  Tensor& out = *node.outputs[0];
  d.run(d.conv.params, d.conv.multipliers.data(), d.conv.shifts.data(), in.shape,
        in.data_as<int8_t>(), filter.shape, filter.data_as<int8_t>(),
        bias ? bias->data_as<int32_t>() : nullptr, out.shape, out.data_as<int8_t>());
}

}  // namespace

void PrepareConv(const Node& node, ConvKind kind, PreparedConv* c) {
  const bool depthwise = kind == ConvKind::kDepthwiseConv2D;
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

  ConvOptions o{};
  int out_c = 0;
  int depth_multiplier = 1;
  if (depthwise) {
    Expect(node, filter->shape[0] == 1, "filter must be [1, KH, KW, C*M]");
    const auto* options = Options<tflite::DepthwiseConv2DOptions>(node);
    Expect(node, options != nullptr, "missing DepthwiseConv2DOptions");
    o = ReadConvOptions(*options);
    const int in_c = in->shape[3];
    out_c = filter->shape[3];
    Expect(node, in_c > 0 && out_c % in_c == 0, "filter depth must be a multiple of input depth");
    // Converters sometimes store depth_multiplier inconsistently; the shapes
    // are authoritative, as in TFLite.
    depth_multiplier = out_c / in_c;
    Expect(node, out->shape[3] == out_c, "output depth differs from filter depth");
  } else {
    out_c = filter->shape[0];
    Expect(node, filter->shape[3] == in->shape[3],
           "filter depth differs from input depth (grouped convolution is not supported)");
    Expect(node, out->shape[3] == out_c, "output depth differs from filter count");
  }
  Expect(node, out->shape[0] == in->shape[0], "batch size differs between input and output");
  Expect(node, !bias || bias->shape.elements() == out_c, "bias size differs from output depth");
  Expect(node, filter->channel_scales.size() == 1 || filter->channel_scales.size() == size_t(out_c),
         "filter needs one scale or one per output channel");
  for (int32_t zp : filter->channel_zero_points)
    Expect(node, zp == 0, "filter zero point must be 0 (symmetric weights)");
  if (!depthwise) {
    const auto* options = Options<tflite::Conv2DOptions>(node);
    Expect(node, options != nullptr, "missing Conv2DOptions");
    o = ReadConvOptions(*options);
  }

  ref::ConvParams& p = c->params;
  p = ref::ConvParams();
  p.stride_h = o.stride_h;
  p.stride_w = o.stride_w;
  p.dilation_h = o.dilation_h;
  p.dilation_w = o.dilation_w;
  p.depth_multiplier = depth_multiplier;
  Expect(node, p.stride_h > 0 && p.stride_w > 0 && p.dilation_h > 0 && p.dilation_w > 0,
         "strides and dilations must be positive");
  Expect(node, o.padding == 0 || o.padding == 1, "unknown padding");
  const Padding padding = static_cast<Padding>(o.padding);
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
  OutputActivationRange(node, o.activation, *out, &p.act_min, &p.act_max);
  PerChannelMultipliers(*in, *filter, *out, out_c, &c->multipliers, &c->shifts);
}

bool PrepareReferenceConv(Node& node, ConvKind kind, ConvFn run) {
  auto data = std::make_unique<ReferenceConvData>();
  PrepareConv(node, kind, &data->conv);
  data->run = run;
  node.data = std::move(data);
  node.eval = EvalReferenceConv;
  return true;
}

}  // namespace vww
