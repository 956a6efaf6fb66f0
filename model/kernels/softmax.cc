// SOFTMAX, int8 -> int8 (scale 1/256, zero point -128), along the last axis.
// Follows TFLite's fixed-point algorithm: exp of (x - max) scaled by beta in
// Q5.26, summed in Q12.19, then multiplied by the reciprocal of the sum.
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <cmath>
#include <limits>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace {
constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

// 1 / x for x in Q(integer_digits), as a Q0.31 value times 2^-num_bits_over_unit.
int32_t Reciprocal(int32_t x, int x_integer_digits, int* num_bits_over_unit) {
  const int headroom_plus_one = __builtin_clz(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (static_cast<uint32_t>(1) << 31));
  return gemmlowp::one_over_one_plus_x_for_x_in_0_1(
             gemmlowp::FixedPoint<int32_t, 0>::FromRaw(shifted_sum_minus_one))
      .raw();
}
}  // namespace

namespace ref {

void Softmax(const SoftmaxParams& p, const Shape& shape, const int8_t* input, int8_t* output) {
  using ScaledDiff = gemmlowp::FixedPoint<int32_t, kScaledDiffIntegerBits>;
  using Accum = gemmlowp::FixedPoint<int32_t, kAccumulationIntegerBits>;
  using Q0 = gemmlowp::FixedPoint<int32_t, 0>;
  const int depth = shape[shape.rank - 1];
  const int64_t rows = shape.elements() / depth;
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max_in_row = -128;
    for (int c = 0; c < depth; ++c) max_in_row = std::max<int32_t>(max_in_row, in[c]);
    Accum sum = Accum::Zero();
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - max_in_row;
      if (diff < p.diff_min) continue;
      const int32_t rescaled =
          MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.input_multiplier, p.input_left_shift);
      sum = sum + gemmlowp::Rescale<kAccumulationIntegerBits>(
                      gemmlowp::exp_on_negative_values(ScaledDiff::FromRaw(rescaled)));
    }
    int num_bits_over_unit = 0;
    const Q0 scale = Q0::FromRaw(Reciprocal(sum.raw(), kAccumulationIntegerBits, &num_bits_over_unit));
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - max_in_row;
      if (diff < p.diff_min) {
        out[c] = -128;
        continue;
      }
      const int32_t rescaled =
          MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.input_multiplier, p.input_left_shift);
      const Q0 e = gemmlowp::exp_on_negative_values(ScaledDiff::FromRaw(rescaled));
      const int32_t unsat = gemmlowp::RoundingDivideByPOT((scale * e).raw(), num_bits_over_unit + 31 - 8);
      out[c] = static_cast<int8_t>(std::min(std::max(unsat - 128, -128), 127));
    }
  }
}

}  // namespace ref

namespace {

struct SoftmaxData : OpData {
  ref::SoftmaxParams params;
};

void Eval(const Node& node) {
  const Tensor& in = *node.inputs[0];
  ref::Softmax(node.data_as<SoftmaxData>().params, in.shape, in.data_as<int8_t>(),
               node.outputs[0]->data_as<int8_t>());
}

bool Prepare(Node& node) {
  ExpectArity(node, 1, 1, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  ExpectType(node, in, DType::kInt8, "input");
  ExpectType(node, out, DType::kInt8, "output");
  Expect(node, in->shape == out->shape, "input and output shapes differ");
  Expect(node, in->shape.rank >= 1 && in->shape[in->shape.rank - 1] > 0, "input has no classes");
  Expect(node, in->quantized && out->quantized, "input and output must be quantized");
  Expect(node, out->zero_point == -128 && std::fabs(out->scale - 1.0f / 256) < 1e-8f,
         "int8 softmax output must have scale 1/256 and zero point -128");
  const auto* o = Options<tflite::SoftmaxOptions>(node);
  const double beta = o ? o->beta() : 1.0;
  auto data = std::make_unique<SoftmaxData>();
  ref::SoftmaxParams& p = data->params;
  // Scale (x - max) by beta * input_scale into Q5.26, capped at int32 range.
  const double real_multiplier = std::min<double>(
      beta * static_cast<double>(in->scale) * (1 << (31 - kScaledDiffIntegerBits)),
      (int64_t{1} << 31) - 1.0);
  int shift = 0;
  QuantizeMultiplierGreaterThanOne(real_multiplier, &p.input_multiplier, &shift);
  Expect(node, shift >= 0 && shift < 31, "softmax input scale out of range");
  p.input_left_shift = shift;
  // Differences below -radius underflow exp() to zero.
  const double radius = 1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
                        static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)) /
                        static_cast<double>(int64_t{1} << shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kSoftmaxReference = {kOpSoftmax, Prepare};

}  // namespace vww
