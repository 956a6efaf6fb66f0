// LOGISTIC, int8 -> int8 (scale 1/256, zero point -128). TFLite's reference
// integer kernel (also TFLite Micro's): the input is rescaled into Q4.27,
// gemmlowp's fixed-point logistic gives a Q0.31 result, which is rounded to
// 1/256 steps. Inputs beyond the Q4 range saturate to -128 / 127 directly.
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <cmath>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace {
constexpr int kInputIntegerBits = 4;
constexpr int kOutputFractionalBits = 8;  // output scale 1/256
}  // namespace

namespace ref {

void Logistic(const LogisticParams& p, int64_t size, const int8_t* input, int8_t* output) {
  using InputFixed = gemmlowp::FixedPoint<int32_t, kInputIntegerBits>;
  for (int64_t i = 0; i < size; ++i) {
    const int32_t x = input[i] - p.input_zero_point;
    if (x <= -p.input_range_radius) {
      output[i] = -128;
    } else if (x >= p.input_range_radius) {
      output[i] = 127;
    } else {
      const int32_t x_q4 = MultiplyByQuantizedMultiplier(x, p.input_multiplier, p.input_left_shift);
      const int32_t y_q0 = gemmlowp::logistic(InputFixed::FromRaw(x_q4)).raw();
      const int32_t y = RoundingDivideByPOT(y_q0, 31 - kOutputFractionalBits) - 128;
      output[i] = static_cast<int8_t>(std::min(std::max(y, -128), 127));
    }
  }
}

}  // namespace ref

namespace {

struct LogisticData : OpData {
  ref::LogisticParams params;
};

void Eval(const Node& node) {
  const Tensor& in = *node.inputs[0];
  ref::Logistic(node.data_as<LogisticData>().params, in.shape.elements(), in.data_as<int8_t>(),
                node.outputs[0]->data_as<int8_t>());
}

bool Prepare(Node& node) {
  ExpectArity(node, 1, 1, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  ExpectType(node, in, DType::kInt8, "input");
  ExpectType(node, out, DType::kInt8, "output");
  Expect(node, in->shape == out->shape, "input and output shapes differ");
  Expect(node, in->quantized && out->quantized, "input and output must be quantized");
  Expect(node, out->zero_point == -128 && std::fabs(out->scale - 1.0f / 256) < 1e-8f,
         "int8 logistic output must have scale 1/256 and zero point -128");

  auto data = std::make_unique<LogisticData>();
  ref::LogisticParams& p = data->params;
  p.input_zero_point = in->zero_point;
  // input_scale * 2^27 maps a real input onto Q4.27 (frexp + round, as TFLite).
  int shift = 0;
  QuantizeMultiplier(static_cast<double>(in->scale) * (1 << (31 - kInputIntegerBits)),
                     &p.input_multiplier, &shift);
  Expect(node, shift >= 0 && shift < 31, "logistic input scale out of range");
  p.input_left_shift = shift;
  // Largest |x - zp| whose rescaled value still fits Q4 (TFLite's CalculateInputRadius).
  const double max_input_rescaled = 1.0 * ((1 << kInputIntegerBits) - 1) *
                                    static_cast<double>(int64_t{1} << (31 - kInputIntegerBits)) /
                                    static_cast<double>(int64_t{1} << shift);
  p.input_range_radius = static_cast<int32_t>(std::floor(max_input_rescaled));
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kLogisticReference = {kOpLogistic, Prepare};

}  // namespace vww
