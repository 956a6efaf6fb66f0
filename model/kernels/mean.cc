// MEAN over constant axes, int8 (and uint8), keep_dims or not. Follows TFLite
// Micro's reference (reduce_common.cc -> reference_ops::QuantizedMeanOrSum),
// which is all integer, for equal quantization too:
// - prepare: QuantizeMultiplier(s_in / s_out) -> (m, e); then 1 / count is
//   folded in: k = min(floor(log2(count)), 32, 31 + e),
//   m' = (int64(m) << k) / count (truncating), e' = e - k;
// - eval: an int32 sum per output element, minus zp_in * count (in int64,
//   then narrowed to int32 as TFLM's int32 accumulator does), then
//   MultiplyByQuantizedMultiplier(sum, m', e') + zp_out, clamped.
// Older TFLite versions requantized in float (and divided with truncation for
// equal quantization); TFLite Micro's outputs no longer match that (issue 18).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "model/kernels/kernel_util.h"
#include "model/kernels/mean_common.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace {

template <typename T>
void MeanImpl(const ref::MeanParams& p, const T* input, int32_t* sums, T* output) {
  for (int64_t i = 0; i < p.output_count; ++i) sums[i] = 0;
  if (p.reduced_count == 0) {  // an empty reduction gives 0, as TFLite's
    for (int64_t i = 0; i < p.output_count; ++i) output[i] = T();
    return;
  }
  // Walk the input in memory order; out_stride maps each input position to its
  // output element (reduced axes contribute 0).
  int64_t total = 1;
  for (int d = 0; d < p.rank; ++d) total *= p.dims[d];
  int index[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t o = 0;
  for (int64_t i = 0; i < total; ++i) {
    sums[o] += input[i];
    for (int d = p.rank - 1; d >= 0; --d) {
      o += p.out_stride[d];
      if (++index[d] < p.dims[d]) break;
      o -= p.out_stride[d] * p.dims[d];
      index[d] = 0;
    }
  }
  const int64_t zero_point_sum = int64_t{p.input_zero_point} * p.reduced_count;
  const int32_t lo = std::numeric_limits<T>::min();
  const int32_t hi = std::numeric_limits<T>::max();
  for (int64_t i = 0; i < p.output_count; ++i) {
    const int32_t centred = static_cast<int32_t>(sums[i] - zero_point_sum);
    const int64_t v = int64_t{MultiplyByQuantizedMultiplier(centred, p.multiplier, p.shift)} +
                      p.output_zero_point;
    output[i] = static_cast<T>(std::clamp<int64_t>(v, lo, hi));
  }
}

}  // namespace

namespace ref {

void Mean(const MeanParams& p, const int8_t* input, int32_t* sums, int8_t* output) {
  MeanImpl(p, input, sums, output);
}

void Mean(const MeanParams& p, const uint8_t* input, int32_t* sums, uint8_t* output) {
  MeanImpl(p, input, sums, output);
}

}  // namespace ref

namespace {

struct MeanData : OpData {
  ref::MeanParams params;
  bool is_uint8 = false;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<MeanData>();
  int32_t* sums = reinterpret_cast<int32_t*>(node.scratch);
  if (d.is_uint8)
    ref::Mean(d.params, node.inputs[0]->data_as<uint8_t>(), sums,
              node.outputs[0]->data_as<uint8_t>());
  else
    ref::Mean(d.params, node.inputs[0]->data_as<int8_t>(), sums,
              node.outputs[0]->data_as<int8_t>());
}

bool Prepare(Node& node) {
  auto data = std::make_unique<MeanData>();
  PrepareMean(node, &data->params);
  data->is_uint8 = node.inputs[0]->type == DType::kUInt8;
  node.scratch_bytes = static_cast<size_t>(data->params.output_count) * sizeof(int32_t);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

void PrepareMean(const Node& node, ref::MeanParams* params) {
  ExpectArity(node, 2, 2, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* axis = node.inputs[1];
  const Tensor* out = node.outputs[0];
  Expect(node, in->type == DType::kInt8 || in->type == DType::kUInt8,
         "input must be int8 or uint8");
  ExpectType(node, out, in->type, "output");
  ExpectType(node, axis, DType::kInt32, "axis");
  Expect(node, axis->is_constant, "axis must be constant");
  Expect(node, axis->shape.rank <= 1, "axis must be a scalar or a 1-D list");
  Expect(node, in->quantized && out->quantized, "input and output must be quantized");
  Expect(node, in->channel_scales.size() == 1 && out->channel_scales.size() == 1,
         "input and output must be quantized per tensor");
  const Shape& is = in->shape;
  Expect(node, is.rank >= 1, "input must have at least one dimension");

  // Resolve negative and repeated axes, as TFLite's ResolveAxis.
  bool reduced[kMaxRank] = {false, false, false, false, false, false};
  const int32_t* axes = axis->data_as<int32_t>();
  for (int64_t i = 0; i < axis->shape.elements(); ++i) {
    const int a = axes[i] < 0 ? axes[i] + is.rank : axes[i];
    if (a < 0 || a >= is.rank)
      Fail(node, "axis " + std::to_string(axes[i]) + " is out of range for rank " +
                     std::to_string(is.rank));
    reduced[a] = true;
  }

  const auto* o = Options<tflite::ReducerOptions>(node);
  const bool keep_dims = o && o->keep_dims();
  ref::MeanParams& p = *params;
  p = ref::MeanParams();
  p.rank = is.rank;
  Shape expected;
  int64_t count = 1;
  for (int d = 0; d < is.rank; ++d) {
    p.dims[d] = is[d];
    if (reduced[d]) {
      count *= is[d];
      if (keep_dims) expected.dims[expected.rank++] = 1;
    } else {
      expected.dims[expected.rank++] = is[d];
    }
  }
  if (out->shape != expected)
    Fail(node, "output shape " + out->shape.str() + " differs from the expected " + expected.str() +
                   (keep_dims ? " (keep_dims)" : ""));
  // Every |summand| <= 255: the int32 sum cannot overflow below 2^23 terms.
  Expect(node, count < (int64_t{1} << 23), "too many elements per mean");
  p.reduced_count = static_cast<int32_t>(count);
  int64_t stride = 1;
  for (int d = is.rank - 1; d >= 0; --d) {
    p.out_stride[d] = reduced[d] ? 0 : stride;
    if (!reduced[d]) stride *= is[d];
  }
  p.output_count = stride;

  // The scale ratio in double, as TFLite Micro's prepare; then 1 / count.
  int32_t multiplier = 0;
  int shift = 0;
  QuantizeMultiplier(static_cast<double>(in->scale) / static_cast<double>(out->scale), &multiplier,
                     &shift);
  Expect(node, shift <= 30, "input / output scale ratio above 2^30");
  if (count > 0) {
    int k = 63 - __builtin_clzll(static_cast<uint64_t>(count));
    k = std::min(k, 32);
    k = std::min(k, 31 + shift);
    multiplier = static_cast<int32_t>((static_cast<int64_t>(multiplier) << k) / count);
    shift -= k;
  }
  p.multiplier = multiplier;
  p.shift = shift;
  p.input_zero_point = in->zero_point;
  p.output_zero_point = out->zero_point;
}

extern const KernelRegistration kMeanReference = {kOpMean, Prepare};

}  // namespace vww
