// ADD of two int8 tensors of the same shape (MobileNetV2's and ResNet's
// residuals). The reference walks a 6-D broadcast per element; here the
// elements are one flat run, and the AVX-512 / AVX2 / NEON forms do TFLite's
// three rescalings on 16 / 8 / 16 lanes at a time with the same integer steps, so every
// form is bit-exact with ref::Add. Broadcasting ADDs stay on the reference.
#include <algorithm>

#include "model/fast/elementwise_args.h"
#include "model/fast/isa.h"
#include "model/kernels/binary_common.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace fast {
namespace {

struct AddData : OpData {
  AddArgs args{};
  void (*kernel)(const AddArgs&) = nullptr;
};

void AddPortable(const AddArgs& a) {
  for (long i = 0; i < a.elements; ++i) {
    const int32_t x1 = (a.input1[i] + a.input1_offset) * (1 << a.left_shift);
    const int32_t x2 = (a.input2[i] + a.input2_offset) * (1 << a.left_shift);
    const int32_t s1 = RoundingDivideByPOT(
        SaturatingRoundingDoublingHighMul(x1, a.input1_multiplier), a.input1_right_shift);
    const int32_t s2 = RoundingDivideByPOT(
        SaturatingRoundingDoublingHighMul(x2, a.input2_multiplier), a.input2_right_shift);
    const int32_t sum = RoundingDivideByPOT(
        SaturatingRoundingDoublingHighMul(s1 + s2, a.output_multiplier), a.output_right_shift);
    a.output[i] =
        static_cast<int8_t>(std::clamp<int32_t>(sum + a.output_offset, a.act_min, a.act_max));
  }
}

// The input scaling of TFLite's ADD, RoundingDivideByPOT(
// SaturatingRoundingDoublingHighMul(u << 20, m), rs), is floor((u * 2^20 * m +
// 2^30) / 2^31) = floor((u * m + 2^10) / 2^11) = h, then (rs >= 1) h / 2^rs
// rounded half away from zero, floor((h + 2^(rs-1) - [h < 0]) / 2^rs). Nested
// floors merge: floor((u * m + k - [u < 0] * 2^11) / 2^(11 + rs)) with k =
// 2^10 + 2^(rs+10) (h < 0 exactly when u < 0, as m > 2^10); rs = 0 (the
// larger input's scale) is h itself: k = 2^10, no sign term. |u| <= 255, so
// splitting m = m_hi * 2^9 + m_lo keeps every product in int32: floor((u *
// m_hi + floor((u * m_lo + k + [u < 0] * negative) / 2^9)) / 2^(rs + 2)). Two
// vpmulld and a few adds and shifts instead of the 64-bit multiplies and the
// two roundings.
bool SplitScale(int32_t offset, int32_t multiplier, int right_shift, AddSplit* s) {
  if (right_shift < 0 || right_shift > 19 || multiplier < (1 << 11)) return false;
  s->m_hi = multiplier >> 9;
  s->m_lo = multiplier & 511;
  s->k = (1 << 10) + (right_shift > 0 ? 1 << (right_shift + 10) : 0);
  s->negative = right_shift > 0 ? -(1 << 11) : 0;
  s->shift = right_shift + 2;
  // The derivation above, checked on every input value against the reference.
  for (int x = -128; x <= 127; ++x) {
    const int32_t u = x + offset;
    const int32_t exact = RoundingDivideByPOT(
        SaturatingRoundingDoublingHighMul(u * (1 << 20), multiplier), right_shift);
    const int32_t low = (u * s->m_lo + s->k + (u < 0 ? s->negative : 0)) >> 9;
    if (((u * s->m_hi + low) >> s->shift) != exact) return false;
  }
  return true;
}

void Eval(const Node& node) {
  const auto& d = node.data_as<AddData>();
  AddArgs a = d.args;
  a.input1 = node.inputs[0]->data_as<int8_t>();
  a.input2 = node.inputs[1]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  d.kernel(a);
}

// Element-wise, so any split is exact: parts of kPartElements elements (a
// multiple of 64, so each part starts on whole vectors).
constexpr long kPartElements = 16384;

void EvalParts(const Node& node, int begin, int end) {
  const auto& d = node.data_as<AddData>();
  AddArgs a = d.args;
  const long first = begin * kPartElements;
  a.input1 = node.inputs[0]->data_as<int8_t>() + first;
  a.input2 = node.inputs[1]->data_as<int8_t>() + first;
  a.output = node.outputs[0]->data_as<int8_t>() + first;
  a.elements = std::min(d.args.elements, end * kPartElements) - first;
  d.kernel(a);
}

}  // namespace

// Every form (portable, AVX2, AVX-512): the same data, the kernel of `isa`.
bool PrepareAddSameShape(Node& node, Isa isa) {
  const Tensor* in1 = node.inputs[0];
  const Tensor* in2 = node.inputs[1];
  const Tensor* out = node.outputs[0];
  if (!(in1->shape == out->shape && in2->shape == out->shape)) return false;  // broadcasting
  // The reference prepare computes the multipliers; run it again for its data.
  FindReferenceKernel(kOpAdd)->prepare(node);
  const ref::AddParams p = node.data_as<BinaryData<ref::AddParams>>().params;
  // Exact in int32 without saturation: |x| <= 255 << 20 < 2^28, each scaled
  // input is at most half of that (multipliers below 1 of 2 max(s1, s2)), so
  // the sum never nears the int32 limits and SaturatingAdd is a plain add.
  if (p.left_shift != 20) return false;
  auto d = std::make_unique<AddData>();
  AddArgs& a = d->args;
  a.elements = out->shape.elements();
  a.input1_offset = p.input1_offset;
  a.input2_offset = p.input2_offset;
  a.left_shift = p.left_shift;
  a.input1_multiplier = p.input1_multiplier;
  a.input2_multiplier = p.input2_multiplier;
  a.output_multiplier = p.output_multiplier;
  a.input1_right_shift = -p.input1_shift;
  a.input2_right_shift = -p.input2_shift;
  a.output_right_shift = -p.output_shift;
  a.output_offset = p.output_offset;
  a.act_min = p.act_min;
  a.act_max = p.act_max;
  a.split_inputs =
      SplitScale(a.input1_offset, a.input1_multiplier, a.input1_right_shift, &a.split1) &&
      SplitScale(a.input2_offset, a.input2_multiplier, a.input2_right_shift, &a.split2);
  d->kernel = AddPortable;
#if defined(VWW_FAST_X86)
  if (IsAvx512(isa)) d->kernel = AddAvx512;
  if (isa == Isa::kAvx2) d->kernel = AddAvx2;
#endif
#if defined(VWW_FAST_ARM64)
  if (IsNeon(isa)) d->kernel = AddNeon;
#endif
  const long elements = a.elements;
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  // About 20 operations per element: worth a second thread from 4 parts on.
  if (elements >= 4 * kPartElements) {
    node.eval_parts = EvalParts;
    node.parts = static_cast<int>((elements + kPartElements - 1) / kPartElements);
  }
  return true;
}

}  // namespace fast

}  // namespace vww
