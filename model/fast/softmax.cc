// SOFTMAX, int8 -> int8, as a table. The input is 8-bit, so a row's
// differences x - max take at most 256 values (0 down to -255): prepare runs
// the reference's own fixed-point steps (ref::SoftmaxExp, ref::SoftmaxSummand,
// model/kernels/softmax.cc) on each of them once, and eval is a max, a sum of
// looked-up summands, the reference's reciprocal of the sum, and one
// multiply-and-round per element, instead of two fixed-point exponentials per
// element. Every value is the reference's for the same difference, so the
// outputs are equal by construction (tests/test_fast_tail.cc checks all 256
// differences at several scales and betas).
#include <algorithm>
#include <cstdint>

#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/kernels/reference.h"
#include "model/kernels/softmax_common.h"

namespace vww {

namespace fast {
namespace {

struct SoftmaxTableData : OpData {
  int depth = 0;
  int64_t rows = 0;
  // Indexed by max - x (0..255); 0 and a flag for differences below diff_min,
  // whose output is -128 and which add nothing to the sum.
  int32_t exp[256];
  int32_t summand[256];
  bool underflows[256];
};

void Eval(const Node& node) {
  const auto& d = node.data_as<SoftmaxTableData>();
  const int8_t* input = node.inputs[0]->data_as<int8_t>();
  int8_t* output = node.outputs[0]->data_as<int8_t>();
  for (int64_t r = 0; r < d.rows; ++r) {
    const int8_t* in = input + r * d.depth;
    int8_t* out = output + r * d.depth;
    int32_t max_in_row = -128;
    for (int c = 0; c < d.depth; ++c) max_in_row = std::max<int32_t>(max_in_row, in[c]);
    int32_t sum = 0;
    for (int c = 0; c < d.depth; ++c) sum += d.summand[max_in_row - in[c]];
    int num_bits_over_unit = 0;
    const int32_t reciprocal = ref::SoftmaxReciprocal(sum, &num_bits_over_unit);
    for (int c = 0; c < d.depth; ++c) {
      const int i = max_in_row - in[c];
      out[c] = d.underflows[i] ? int8_t{-128}
                               : ref::SoftmaxOutput(reciprocal, num_bits_over_unit, d.exp[i]);
    }
  }
}

}  // namespace

bool PrepareSoftmaxTable(Node& node, Isa) {
  // The reference prepare validated the node (int8 in and out, output scale
  // 1/256, zero point -128); these are its parameters.
  const Tensor* in = node.inputs[0];
  auto d = std::make_unique<SoftmaxTableData>();
  ref::SoftmaxParams p;
  PrepareSoftmax(node, &p);
  d->depth = in->shape[in->shape.rank - 1];
  d->rows = in->shape.elements() / d->depth;
  // Each summand is at most 1.0 in Q12.19 (2^19): the int32 sum stays exact
  // below 2^12 classes, as the reference's.
  if (d->depth >= (1 << 12)) return false;
  for (int i = 0; i < 256; ++i) {
    const int32_t diff = -i;
    d->underflows[i] = diff < p.diff_min;
    d->exp[i] = d->underflows[i] ? 0 : ref::SoftmaxExp(p, diff);
    d->summand[i] = d->underflows[i] ? 0 : ref::SoftmaxSummand(d->exp[i]);
  }
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  return true;
}

}  // namespace fast

}  // namespace vww
