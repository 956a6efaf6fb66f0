// DEQUANTIZE, int8/uint8 -> float32: float(double(scale) * (q - zero_point)),
// TFLite's reference formula. The double product is exact (24-bit scale times
// a 9-bit integer), so the one rounding to float is TFLite's rounding too.
#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"

namespace vww {

namespace {

template <typename In>
void DequantizeImpl(const ref::DequantizeParams& p, int64_t size, const In* input, float* output) {
  for (int64_t i = 0; i < size; ++i)
    output[i] = static_cast<float>(p.scale * static_cast<int32_t>(input[i] - p.zero_point));
}

}  // namespace

namespace ref {

void Dequantize(const DequantizeParams& p, int64_t size, const int8_t* input, float* output) {
  DequantizeImpl(p, size, input, output);
}
void Dequantize(const DequantizeParams& p, int64_t size, const uint8_t* input, float* output) {
  DequantizeImpl(p, size, input, output);
}

}  // namespace ref

namespace {

struct DequantizeData : OpData {
  ref::DequantizeParams params;
};

template <typename In>
void Eval(const Node& node) {
  const Tensor& in = *node.inputs[0];
  ref::Dequantize(node.data_as<DequantizeData>().params, in.shape.elements(), in.data_as<In>(),
                  node.outputs[0]->data_as<float>());
}

bool Prepare(Node& node) {
  ExpectArity(node, 1, 1, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  Expect(node, in->type == DType::kInt8 || in->type == DType::kUInt8,
         "input must be int8 or uint8");
  ExpectType(node, out, DType::kFloat32, "output");
  Expect(node, in->shape == out->shape, "input and output shapes differ");
  Expect(node, in->quantized && in->channel_scales.size() == 1,
         "input must be quantized per tensor");
  auto data = std::make_unique<DequantizeData>();
  data->params.scale = static_cast<double>(in->scale);
  data->params.zero_point = in->zero_point;
  node.eval = in->type == DType::kUInt8 ? Eval<uint8_t> : Eval<int8_t>;
  node.data = std::move(data);
  return true;
}

}  // namespace

extern const KernelRegistration kDequantizeReference = {kOpDequantize, Prepare};

}  // namespace vww
