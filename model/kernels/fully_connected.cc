// FULLY_CONNECTED, int8 with per-tensor or per-channel int8 weights and an
// optional int32 bias. The multiplier is input_scale * filter_scale /
// output_scale in double, as TFLite's GetQuantizedConvolutionMultipler.
#include <vector>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace ref {

void FullyConnected(const FullyConnectedParams& p, const int32_t* multipliers,
                    const int32_t* shifts, int batches, int depth, int units, const int8_t* input,
                    const int8_t* filter, const int32_t* bias, int8_t* output) {
  for (int b = 0; b < batches; ++b) {
    const int8_t* in = input + static_cast<int64_t>(b) * depth;
    for (int u = 0; u < units; ++u) {
      const int8_t* w = filter + static_cast<int64_t>(u) * depth;
      int32_t acc = 0;
      for (int d = 0; d < depth; ++d) acc += (w[d] + p.filter_offset) * (in[d] + p.input_offset);
      if (bias) acc = SaturatingAdd(acc, bias[u]);
      acc = ScaleToOutput(acc, multipliers[u], shifts[u], p.output_offset, p.act_min, p.act_max);
      output[static_cast<int64_t>(b) * units + u] = static_cast<int8_t>(acc);
    }
  }
}

}  // namespace ref

namespace {

struct FullyConnectedData : OpData {
  ref::FullyConnectedParams params;
  int batches = 0, depth = 0, units = 0;
  std::vector<int32_t> multipliers, shifts;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<FullyConnectedData>();
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  ref::FullyConnected(d.params, d.multipliers.data(), d.shifts.data(), d.batches, d.depth, d.units,
                      node.inputs[0]->data_as<int8_t>(), node.inputs[1]->data_as<int8_t>(),
                      bias ? bias->data_as<int32_t>() : nullptr,
                      node.outputs[0]->data_as<int8_t>());
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
  Expect(node, in->quantized && filter->quantized && out->quantized,
         "input, filter and output must be quantized");
  Expect(node, filter->shape.rank == 2, "filter must be 2-D [units, depth]");

  const auto* o = Options<tflite::FullyConnectedOptions>(node);
  const int activation = o ? o->fused_activation_function() : 0;
  const bool keep_num_dims = o && o->keep_num_dims();
  Expect(node, !o || o->weights_format() == 0, "shuffled weights formats are not supported");

  auto data = std::make_unique<FullyConnectedData>();
  data->units = filter->shape[0];
  data->depth = filter->shape[1];
  Expect(node, data->units > 0 && data->depth > 0, "filter has an empty dimension");
  const int64_t in_elements = in->shape.elements();
  Expect(node, in_elements % data->depth == 0, "input size is not a multiple of the filter depth");
  data->batches = static_cast<int>(in_elements / data->depth);
  const Shape& os = out->shape;
  Expect(node, os.rank >= 1 && os[os.rank - 1] == data->units,
         "output's last dimension differs from the filter's unit count");
  Expect(node, os.elements() == int64_t{data->batches} * data->units,
         "output size differs from batches x units");
  if (keep_num_dims)
    Expect(node, in->shape.rank >= 1 && in->shape[in->shape.rank - 1] == data->depth,
           "keep_num_dims needs the input's last dimension to equal the filter depth");
  Expect(node, !bias || bias->shape.elements() == data->units, "bias size differs from unit count");

  const bool per_channel = filter->channel_scales.size() > 1;
  Expect(node,
         !per_channel || (filter->channel_scales.size() == size_t(data->units) &&
                          filter->quantized_dimension == 0),
         "per-channel filter needs one scale per unit along dimension 0");
  ref::FullyConnectedParams& p = data->params;
  if (per_channel) {
    for (int32_t zp : filter->channel_zero_points)
      Expect(node, zp == 0, "per-channel filter zero points must be 0");
  } else {
    // TFLite's per-tensor kernel subtracts a weight zero point; converters emit 0.
    p.filter_offset = -filter->zero_point;
  }
  p.input_offset = -in->zero_point;
  p.output_offset = out->zero_point;
  OutputActivationRange(node, activation, *out, &p.act_min, &p.act_max);
  PerChannelMultipliers(*in, *filter, *out, data->units, &data->multipliers, &data->shifts);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kFullyConnectedReference = {kOpFullyConnected, Prepare};

}  // namespace vww
