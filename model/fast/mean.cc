// MEAN over a contiguous block of axes (a global spatial mean over H and W of
// NHWC, as at the end of MobileNetV2): the input folds to [outer][reduced]
// [inner], so the sums run over whole rows of `inner` channels, a block of
// channels at a time (vectorized by the compiler), instead of the reference's
// per-element index walk. The sums are the reference's (integer addition in
// any order, no overflow below 2^23 terms), and the requantization is the
// reference's own code on the same parameters (PrepareMean), so the outputs
// are equal by construction.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/kernels/mean_common.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace fast {
namespace {

struct MeanFoldedData : OpData {
  ref::MeanParams params;
  int64_t outer = 0, inner = 0;
  int32_t reduced = 0;
  bool is_uint8 = false;
};

template <typename T>
void MeanFolded(const MeanFoldedData& d, const T* input, T* output) {
  const ref::MeanParams& p = d.params;
  const int64_t zero_point_sum = int64_t{p.input_zero_point} * p.reduced_count;
  constexpr int32_t lo = std::numeric_limits<T>::min();
  constexpr int32_t hi = std::numeric_limits<T>::max();
  constexpr int kBlock = 256;
  int32_t sums[kBlock];
  for (int64_t o = 0; o < d.outer; ++o) {
    const T* plane = input + o * d.reduced * d.inner;
    for (int64_t c0 = 0; c0 < d.inner; c0 += kBlock) {
      const int n = static_cast<int>(std::min<int64_t>(kBlock, d.inner - c0));
      for (int c = 0; c < n; ++c) sums[c] = 0;
      for (int32_t r = 0; r < d.reduced; ++r) {
        const T* row = plane + r * d.inner + c0;
        for (int c = 0; c < n; ++c) sums[c] += row[c];
      }
      T* out = output + o * d.inner + c0;
      for (int c = 0; c < n; ++c) {
        const int32_t centred = static_cast<int32_t>(sums[c] - zero_point_sum);
        const int64_t v = int64_t{MultiplyByQuantizedMultiplier(centred, p.multiplier, p.shift)} +
                          p.output_zero_point;
        out[c] = static_cast<T>(std::clamp<int64_t>(v, lo, hi));
      }
    }
  }
}

void Eval(const Node& node) {
  const auto& d = node.data_as<MeanFoldedData>();
  if (d.is_uint8)
    MeanFolded(d, node.inputs[0]->data_as<uint8_t>(), node.outputs[0]->data_as<uint8_t>());
  else
    MeanFolded(d, node.inputs[0]->data_as<int8_t>(), node.outputs[0]->data_as<int8_t>());
}

}  // namespace

// Takes a MEAN whose reduced axes (ignoring axes of size 1) are contiguous.
bool PrepareMeanFolded(Node& node, Isa) {
  auto d = std::make_unique<MeanFoldedData>();
  PrepareMean(node, &d->params);  // already passed in the reference prepare
  const ref::MeanParams& p = d->params;
  if (p.reduced_count == 0) return false;  // empty: the reference writes zeros
  int first = -1, last = -1;
  for (int a = 0; a < p.rank; ++a)
    if (p.out_stride[a] == 0 && p.dims[a] > 1) {
      if (first < 0) first = a;
      last = a;
    }
  d->outer = d->inner = 1;
  d->reduced = 1;
  for (int a = 0; a < p.rank; ++a) {
    const bool reduced = p.out_stride[a] == 0;
    if (first >= 0 && a >= first && a <= last) {
      if (!reduced && p.dims[a] > 1) return false;  // a kept axis between reduced ones
      d->reduced *= p.dims[a];
    } else if (first < 0 || a < first) {
      if (!reduced) d->outer *= p.dims[a];
    } else if (!reduced) {
      d->inner *= p.dims[a];
    }
  }
  if (d->reduced != p.reduced_count || d->outer * d->inner != p.output_count) return false;
  d->is_uint8 = node.inputs[0]->type == DType::kUInt8;
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  return true;
}

}  // namespace fast

}  // namespace vww
