// QUANTIZE: float32 -> int8/uint8 (TFLite's AffineQuantize: float division,
// round half away from zero), and 8-bit -> 8-bit requantization (TFLite's
// Requantize: the zero-point-corrected input times s_in / s_out as a
// quantized multiplier). A pure zero-point shift of 128 between int8 and uint8
// (Coral's input and output ops) has multiplier exactly 1 and so gives the
// same bytes as TFLite's XOR-0x80 fast path.
#include <cmath>
#include <limits>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace {

template <typename Out>
void AffineQuantizeImpl(const ref::AffineQuantizeParams& p, int64_t size, const float* input,
                        Out* output) {
  constexpr float kLimit = 1 << 30;  // far outside any 8-bit range, safe to convert
  const int32_t lo = std::numeric_limits<Out>::min(), hi = std::numeric_limits<Out>::max();
  for (int64_t i = 0; i < size; ++i) {
    float r = std::round(input[i] / p.scale);
    // TFLite converts without a guard; clamping first keeps huge values and
    // infinities saturating instead of being undefined. NaN maps to the zero point.
    if (std::isnan(r)) r = 0.0f;
    r = std::min(std::max(r, -kLimit), kLimit);
    const int32_t q = static_cast<int32_t>(r) + p.zero_point;
    output[i] = static_cast<Out>(std::min(std::max(q, lo), hi));
  }
}

template <typename In, typename Out>
void RequantizeImpl(const ref::RequantizeParams& p, int64_t size, const In* input, Out* output) {
  const int32_t lo = std::numeric_limits<Out>::min(), hi = std::numeric_limits<Out>::max();
  for (int64_t i = 0; i < size; ++i) {
    const int32_t q =
        MultiplyByQuantizedMultiplier(input[i] - p.input_zero_point, p.multiplier, p.shift) +
        p.output_zero_point;
    output[i] = static_cast<Out>(std::min(std::max(q, lo), hi));
  }
}

}  // namespace

namespace ref {

void AffineQuantize(const AffineQuantizeParams& p, int64_t size, const float* input,
                    int8_t* output) {
  AffineQuantizeImpl(p, size, input, output);
}
void AffineQuantize(const AffineQuantizeParams& p, int64_t size, const float* input,
                    uint8_t* output) {
  AffineQuantizeImpl(p, size, input, output);
}
void Requantize(const RequantizeParams& p, int64_t size, const int8_t* input, int8_t* output) {
  RequantizeImpl(p, size, input, output);
}
void Requantize(const RequantizeParams& p, int64_t size, const int8_t* input, uint8_t* output) {
  RequantizeImpl(p, size, input, output);
}
void Requantize(const RequantizeParams& p, int64_t size, const uint8_t* input, int8_t* output) {
  RequantizeImpl(p, size, input, output);
}
void Requantize(const RequantizeParams& p, int64_t size, const uint8_t* input, uint8_t* output) {
  RequantizeImpl(p, size, input, output);
}

}  // namespace ref

namespace {

struct QuantizeData : OpData {
  ref::AffineQuantizeParams quantize;
  ref::RequantizeParams requantize;
};

template <typename In, typename Out>
void EvalRequantize(const Node& node) {
  const Tensor& in = *node.inputs[0];
  ref::Requantize(node.data_as<QuantizeData>().requantize, in.shape.elements(), in.data_as<In>(),
                  node.outputs[0]->data_as<Out>());
}

template <typename Out>
void EvalQuantize(const Node& node) {
  const Tensor& in = *node.inputs[0];
  ref::AffineQuantize(node.data_as<QuantizeData>().quantize, in.shape.elements(),
                      in.data_as<float>(), node.outputs[0]->data_as<Out>());
}

bool Is8Bit(DType t) { return t == DType::kInt8 || t == DType::kUInt8; }

bool Prepare(Node& node) {
  ExpectArity(node, 1, 1, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  Expect(node, in->type == DType::kFloat32 || Is8Bit(in->type),
         "input must be float32, int8 or uint8");
  Expect(node, Is8Bit(out->type), "output must be int8 or uint8");
  Expect(node, in->shape == out->shape, "input and output shapes differ");
  Expect(node, out->quantized && out->channel_scales.size() == 1,
         "output must be quantized per tensor");
  const bool out_u8 = out->type == DType::kUInt8;

  auto data = std::make_unique<QuantizeData>();
  if (in->type == DType::kFloat32) {
    data->quantize.scale = out->scale;
    data->quantize.zero_point = out->zero_point;
    node.eval = out_u8 ? EvalQuantize<uint8_t> : EvalQuantize<int8_t>;
  } else {
    Expect(node, in->quantized && in->channel_scales.size() == 1,
           "8-bit input must be quantized per tensor");
    ref::RequantizeParams& p = data->requantize;
    p.input_zero_point = in->zero_point;
    p.output_zero_point = out->zero_point;
    int shift = 0;
    QuantizeMultiplier(static_cast<double>(in->scale) / static_cast<double>(out->scale),
                       &p.multiplier, &shift);
    p.shift = shift;
    if (in->type == DType::kUInt8)
      node.eval = out_u8 ? EvalRequantize<uint8_t, uint8_t> : EvalRequantize<uint8_t, int8_t>;
    else
      node.eval = out_u8 ? EvalRequantize<int8_t, uint8_t> : EvalRequantize<int8_t, int8_t>;
  }
  node.data = std::move(data);
  return true;
}

}  // namespace

extern const KernelRegistration kQuantizeReference = {kOpQuantize, Prepare};

}  // namespace vww
