// AVERAGE_POOL_2D over the whole input (a global average pool, as at the end
// of MobileNet): per-channel sums, then the reference's rounded division done
// as a multiply by a precomputed reciprocal instead of a hardware divide per
// channel (with AVX-512 or NEON, a 32-bit one on 16 channels at a time when
// it is exact; see SmallReciprocal). Other pool geometries stay on the reference
// kernel.
#include <algorithm>
#include <cstdint>

#include "model/fast/args.h"
#include "model/fast/isa.h"
#include "model/kernels/pool_common.h"
#include "model/kernels/reference.h"

namespace vww {

namespace fast {
namespace {

// floor(n / d) == (n * reciprocal) >> kShift for every 0 <= n < 2^24 when
// d <= 2^16 and reciprocal = ceil(2^kShift / d) (kShift = 24 + 16: the error
// term n * (reciprocal * d - 2^kShift) / 2^kShift stays below 1 / d).
constexpr int kShift = 40;

struct GlobalPoolData : OpData {
  int batches = 0, pixels = 0, depth = 0;
  int32_t count_half = 0;
  uint64_t reciprocal = 0;
  int32_t act_min = -128, act_max = 127;
  bool vector = false;  // AVX-512 or NEON with the 32-bit division (GlobalPoolArgs)
  GlobalPoolArgs args{};
  void (*kernel)(const GlobalPoolArgs&) = nullptr;
};

// The 32-bit form of the division for the vector kernel: with n < 2^bits and
// count <= 2^log_count, shift = bits + log_count and reciprocal =
// ceil(2^shift / count) make the same error term stay below 1 / count, so
// (n * reciprocal) >> shift == floor(n / count). False when n * reciprocal
// could reach 2^32.
bool SmallReciprocal(int64_t count, int64_t max_n, uint32_t* reciprocal, int* shift) {
  int bits = 0, log_count = 0;
  while ((int64_t{1} << bits) <= max_n) ++bits;
  while ((int64_t{1} << log_count) < count) ++log_count;
  const int s = bits + log_count;
  if (s > 40) return false;
  const int64_t r = ((int64_t{1} << s) + count - 1) / count;
  if (max_n <= 0 || r > (int64_t{0xFFFFFFFF}) / max_n) return false;  // max_n * r > 2^32 - 1
  *reciprocal = static_cast<uint32_t>(r);
  *shift = s;
  return true;
}

void Eval(const Node& node) {
  const auto& d = node.data_as<GlobalPoolData>();
  const int8_t* in = node.inputs[0]->data_as<int8_t>();
  int8_t* out = node.outputs[0]->data_as<int8_t>();
  if (d.vector) {
    GlobalPoolArgs a = d.args;
    a.input = in;
    a.output = out;
    d.kernel(a);
    return;
  }
  constexpr int kBlock = 64;
  int32_t sums[kBlock];
  for (int b = 0; b < d.batches; ++b) {
    const int8_t* image = in + static_cast<long>(b) * d.pixels * d.depth;
    for (int c0 = 0; c0 < d.depth; c0 += kBlock) {
      const int n = std::min(kBlock, d.depth - c0);
      for (int c = 0; c < n; ++c) sums[c] = 0;
      for (int p = 0; p < d.pixels; ++p) {
        const int8_t* px = image + static_cast<long>(p) * d.depth + c0;
        for (int c = 0; c < n; ++c) sums[c] += px[c];
      }
      for (int c = 0; c < n; ++c) {
        // The reference: (acc + count/2) / count for acc > 0, else
        // (acc - count/2) / count, both truncating: sign * floor((|acc| + count/2) / count).
        const int32_t acc = sums[c];
        const uint64_t magnitude = static_cast<uint64_t>(acc < 0 ? -acc : acc) + d.count_half;
        const int32_t q = static_cast<int32_t>((magnitude * d.reciprocal) >> kShift);
        const int32_t v = acc < 0 ? -q : q;
        out[static_cast<long>(b) * d.depth + c0 + c] =
            static_cast<int8_t>(std::min(std::max(v, d.act_min), d.act_max));
      }
    }
  }
}

}  // namespace

// Every form: the vector division at AVX-512 and NEON, else the portable one.
bool PrepareGlobalAveragePool(Node& node, Isa isa) {
  const bool vector_isa = IsAvx512(isa) || IsNeon(isa);
  ref::PoolParams p;
  PreparePool2D(node, &p);  // already passed in the reference prepare
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  const int in_h = in->shape[1], in_w = in->shape[2];
  const bool global = out->shape[1] == 1 && out->shape[2] == 1 && p.pad_h == 0 && p.pad_w == 0 &&
                      p.filter_h >= in_h && p.filter_w >= in_w;
  const int64_t count = static_cast<int64_t>(in_h) * in_w;
  // |sum| + count/2 <= 128.5 * count must stay below 2^24.
  if (!global || count > (1 << 16) || 129 * count >= (int64_t{1} << 24)) return false;
  auto d = std::make_unique<GlobalPoolData>();
  d->batches = in->shape[0];
  d->pixels = static_cast<int>(count);
  d->depth = in->shape[3];
  d->count_half = static_cast<int32_t>(count / 2);
  d->reciprocal = ((uint64_t{1} << kShift) + count - 1) / count;
  d->act_min = p.act_min;
  d->act_max = p.act_max;
  // |acc| <= 128 * count, plus count / 2.
  GlobalPoolArgs& a = d->args;
  if (vector_isa && SmallReciprocal(count, 128 * count + count / 2, &a.reciprocal, &a.shift)) {
    d->vector = true;
#if defined(VWW_FAST_X86)
    d->kernel = GlobalPoolAvx512;
#elif defined(VWW_FAST_ARM64)
    d->kernel = GlobalPoolNeon;
#endif
    a.batches = d->batches;
    a.pixels = d->pixels;
    a.depth = d->depth;
    a.count_half = d->count_half;
    a.act_min = d->act_min;
    a.act_max = d->act_max;
  }
  // The vector forms are the vector division; without it, the portable form.
  if (vector_isa && !d->vector) return false;
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  return true;
}

}  // namespace fast

}  // namespace vww
