// SOFTMAX, int8 -> int8 (scale 1/256, zero point -128), along the last axis.
// Follows TFLite's fixed-point algorithm: exp of (x - max) scaled by beta in
// Q5.26, summed in Q12.19, then multiplied by the reciprocal of the sum.
#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/kernels/softmax_common.h"
#include "model/quantization.h"

namespace vww {

namespace {
constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;
using ScaledDiff = gemmlowp::FixedPoint<int32_t, kScaledDiffIntegerBits>;
using Accum = gemmlowp::FixedPoint<int32_t, kAccumulationIntegerBits>;
using Q0 = gemmlowp::FixedPoint<int32_t, 0>;
}  // namespace

namespace ref {

int32_t SoftmaxExp(const SoftmaxParams& p, int32_t diff) {
  const int32_t rescaled =
      MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.input_multiplier, p.input_left_shift);
  return gemmlowp::exp_on_negative_values(ScaledDiff::FromRaw(rescaled)).raw();
}

int32_t SoftmaxSummand(int32_t exp) {
  return gemmlowp::Rescale<kAccumulationIntegerBits>(Q0::FromRaw(exp)).raw();
}

int32_t SoftmaxReciprocal(int32_t sum, int* num_bits_over_unit) {
  const int headroom_plus_one = __builtin_clz(static_cast<uint32_t>(sum));
  *num_bits_over_unit = kAccumulationIntegerBits - headroom_plus_one;
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(sum) << headroom_plus_one) - (static_cast<uint32_t>(1) << 31));
  return gemmlowp::one_over_one_plus_x_for_x_in_0_1(Q0::FromRaw(shifted_sum_minus_one)).raw();
}

int8_t SoftmaxOutput(int32_t reciprocal, int num_bits_over_unit, int32_t exp) {
  const int exponent = num_bits_over_unit + 31 - 8;
  // With 512 or more equal classes the exponent reaches 32, where gemmlowp's
  // shift is undefined; the product (below 2^31) divided by 2^32 or more
  // rounds to 0, which is the value returned.
  if (exponent >= 32) return -128;
  const int32_t unsat =
      gemmlowp::RoundingDivideByPOT((Q0::FromRaw(reciprocal) * Q0::FromRaw(exp)).raw(), exponent);
  return static_cast<int8_t>(std::min(std::max(unsat - 128, -128), 127));
}

void Softmax(const SoftmaxParams& p, const Shape& shape, const int8_t* input, int8_t* output) {
  const int depth = shape[shape.rank - 1];
  const int64_t rows = shape.elements() / depth;
  for (int64_t r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int8_t* out = output + r * depth;
    int32_t max_in_row = -128;
    for (int c = 0; c < depth; ++c) max_in_row = std::max<int32_t>(max_in_row, in[c]);
    int32_t sum = 0;  // Q12.19
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - max_in_row;
      if (diff < p.diff_min) continue;
      sum += SoftmaxSummand(SoftmaxExp(p, diff));
    }
    int num_bits_over_unit = 0;
    const int32_t reciprocal = SoftmaxReciprocal(sum, &num_bits_over_unit);
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - max_in_row;
      out[c] = diff < p.diff_min
                   ? int8_t{-128}
                   : SoftmaxOutput(reciprocal, num_bits_over_unit, SoftmaxExp(p, diff));
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
  auto data = std::make_unique<SoftmaxData>();
  PrepareSoftmax(node, &data->params);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

void PrepareSoftmax(const Node& node, ref::SoftmaxParams* params) {
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
  ref::SoftmaxParams& p = *params;
  // Scale (x - max) by beta * input_scale into Q5.26, capped at int32 range.
  const double real_multiplier =
      std::min<double>(beta * static_cast<double>(in->scale) * (1 << (31 - kScaledDiffIntegerBits)),
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
}

extern const KernelRegistration kSoftmaxReference = {kOpSoftmax, Prepare};

}  // namespace vww
