// The GEMM of pointwise CONV_2D, im2col CONV_2D and FULLY_CONNECTED with
// baseline NEON (ARMv8.0: Cortex-A72, Raspberry Pi 4), which has no dot
// product. A tile is 4 pixels x 4 output channels; per 16 depth, each of its
// 16 int32x4 accumulators takes smull (8 int8 products into int16 lanes),
// smlal2 (the other 8 onto them) and sadalp (adjacent int16 pairs added into
// the int32 lanes): 256 multiply-adds in 48 instructions plus 8 loads. Two
// products share an int16 lane only when no weight is -128 (|x * w| <= 128 *
// 127, so a pair stays within int16; TFLite's converter quantizes weights to
// [-127, 127]); otherwise each product gets its own lane (smull, smull2, two
// sadalp). The 4 lanes of an accumulator are partial sums of one (pixel,
// channel); two rounds of addp at the end of the tile give one pixel's 4
// channels in one vector.
//
// x is the raw int8 input (the zero point is folded into the bias), rows of
// `depth` (a multiple of 8) bytes; the weights are PackGemmWeightsNeon's kNeon
// layout: per block of 4 channels, per 16 depth [4][16], a last 8 as [4][8].
#include "model/fast/args.h"
#include "model/fast/mca_region.h"
#include "model/fast/simd_neon.h"

namespace vww::fast {

namespace {

// Which form runs the GEMM: only names its llvm-mca region (model/fast/mca_region.h).
enum GemmUse : int { kUseConv1x1, kUseIm2col, kUseFullyConnected };

// The marked loop: 4 pixels for the convolutions, 1 (one batch) for FULLY_CONNECTED.
template <int kUse>
constexpr int kMarkedPixels = kUse == kUseFullyConnected ? 1 : 4;

template <int kUse>
[[gnu::always_inline]] inline void MarkBegin() {
  if constexpr (kUse == kUseConv1x1)
    VWW_MCA_BEGIN("conv1x1-p4xc4-neon");
  else if constexpr (kUse == kUseIm2col)
    VWW_MCA_BEGIN("conv-im2col-p4xc4-neon");
  else
    VWW_MCA_BEGIN("fc-pointwise-c4-neon");
}

// The 4 channels of a block for kPixels pixels: sums[p] = sum over depth of
// x[p] * w for channels 0..3.
template <int kPixels, bool kPairs, int kUse>
[[gnu::always_inline]] inline void Tile(const int8_t* x, long depth, const int8_t* w,
                                        int32x4_t sums[kPixels]) {
  constexpr bool kMarked = kPairs && kPixels == kMarkedPixels<kUse>;
  int32x4_t acc[kPixels][4];
  for (int p = 0; p < kPixels; ++p)
    for (int j = 0; j < 4; ++j) acc[p][j] = vdupq_n_s32(0);
  long d = 0;
  for (; d + 16 <= depth; d += 16) {
    if constexpr (kMarked) MarkBegin<kUse>();
    int8x16_t xv[kPixels], wv[4];
    for (int p = 0; p < kPixels; ++p) xv[p] = vld1q_s8(x + p * depth + d);
    for (int j = 0; j < 4; ++j) wv[j] = vld1q_s8(w + d * 4 + j * 16);
    for (int p = 0; p < kPixels; ++p)
      for (int j = 0; j < 4; ++j) {
        if constexpr (kPairs) {
          int16x8_t prod = vmull_s8(vget_low_s8(xv[p]), vget_low_s8(wv[j]));
          prod = vmlal_high_s8(prod, xv[p], wv[j]);
          acc[p][j] = vpadalq_s16(acc[p][j], prod);
        } else {
          acc[p][j] = vpadalq_s16(acc[p][j], vmull_s8(vget_low_s8(xv[p]), vget_low_s8(wv[j])));
          acc[p][j] = vpadalq_s16(acc[p][j], vmull_high_s8(xv[p], wv[j]));
        }
      }
    if constexpr (kMarked) VWW_MCA_END();
  }
  if (d < depth) {  // the last half step of 8: one product per int16 lane
    int8x8_t xv[kPixels], wv[4];
    for (int p = 0; p < kPixels; ++p) xv[p] = vld1_s8(x + p * depth + d);
    for (int j = 0; j < 4; ++j) wv[j] = vld1_s8(w + d * 4 + j * 8);
    for (int p = 0; p < kPixels; ++p)
      for (int j = 0; j < 4; ++j) acc[p][j] = vpadalq_s16(acc[p][j], vmull_s8(xv[p], wv[j]));
  }
  for (int p = 0; p < kPixels; ++p)
    sums[p] = vpaddq_s32(vpaddq_s32(acc[p][0], acc[p][1]), vpaddq_s32(acc[p][2], acc[p][3]));
}

// The requantization of one block of 4 channels, loaded once per column.
struct Block {
  RequantNeon4 q;
  RequantNeon shared;  // offset, lo, hi (its q[] unused)
  int32x4_t bias;
  bool left_shift, fixup;
};

inline int32x4_t Requantize(int32x4_t acc, const Block& b) {
  if (b.left_shift)
    return b.fixup ? Requantize4<true, true>(acc, b.q, b.shared)
                   : Requantize4<true, false>(acc, b.q, b.shared);
  return b.fixup ? Requantize4<false, true>(acc, b.q, b.shared)
                 : Requantize4<false, false>(acc, b.q, b.shared);
}

// Stores the first `count` (<= 4) lanes as int8 (already in range).
inline void Store4(int8_t* dst, int32x4_t v, int count) {
  const int16x4_t h = vmovn_s32(v);
  int8_t tmp[8];
  vst1_s8(tmp, vmovn_s16(vcombine_s16(h, h)));
  if (count >= 4)
    __builtin_memcpy(dst, tmp, 4);
  else
    for (int i = 0; i < count; ++i) dst[i] = tmp[i];
}

template <int kPixels, bool kPairs, int kUse>
inline void Pixels(const PointwiseArgs& a, const int8_t* x, const int8_t* w, const Block& b,
                   int8_t* out, int count) {
  int32x4_t sums[kPixels];
  Tile<kPixels, kPairs, kUse>(x, a.depth, w, sums);
  for (int p = 0; p < kPixels; ++p)
    Store4(out + static_cast<long>(p) * a.out_c, Requantize(vaddq_s32(sums[p], b.bias), b), count);
}

template <bool kPairs, int kUse>
void Run(const PointwiseArgs& a, const int8_t* x) {
  const long pixels = static_cast<long>(a.batches) * a.out_h * a.out_w;
  const long depth = a.depth;
  Block b;
  b.shared.offset = vdupq_n_s32(a.rq.output_offset);
  b.shared.lo = vdupq_n_s32(a.rq.act_min);
  b.shared.hi = vdupq_n_s32(a.rq.act_max);
  b.left_shift = a.rq.any_left_shift;
  b.fixup = RequantFixupNeeded(a.rq);
  // Block by block: a block's weights (4 * depth bytes) stay in L1 while the
  // rows stream past.
  for (int c = 0; c < a.out_c; c += 4) {
    const int8_t* w = static_cast<const int8_t*>(a.weights) + static_cast<long>(c) * depth;
    b.q.multiplier = vld1q_s32(a.rq.multiplier + c);
    b.q.left_shift = vld1q_s32(a.rq.left_shift + c);
    b.q.right_shift = vnegq_s32(vld1q_s32(a.rq.right_shift + c));
    b.bias = vld1q_s32(a.bias + c);
    const int count = a.out_c - c;
    int8_t* out = a.output + c;
    long p = 0;
    for (; p + 4 <= pixels; p += 4)
      Pixels<4, kPairs, kUse>(a, x + p * depth, w, b, out + p * a.out_c, count);
    switch (pixels - p) {
      case 3:
        Pixels<3, kPairs, kUse>(a, x + p * depth, w, b, out + p * a.out_c, count);
        break;
      case 2:
        Pixels<2, kPairs, kUse>(a, x + p * depth, w, b, out + p * a.out_c, count);
        break;
      case 1:
        Pixels<1, kPairs, kUse>(a, x + p * depth, w, b, out + p * a.out_c, count);
        break;
      default:
        break;
    }
  }
}

template <int kUse>
void Gemm(const PointwiseArgs& a, const int8_t* x) {
  if (a.pair_products)
    Run<true, kUse>(a, x);
  else
    Run<false, kUse>(a, x);
}

}  // namespace

void PointwiseNeon(const PointwiseArgs& a) { Gemm<kUseConv1x1>(a, PointwiseRows(a)); }

void PointwiseGemmNeon(const PointwiseArgs& a) {
  Gemm<kUseIm2col>(a, reinterpret_cast<const int8_t*>(a.scratch));
}

void FullyConnectedNeon(const PointwiseArgs& a) { Gemm<kUseFullyConnected>(a, PointwiseRows(a)); }

}  // namespace vww::fast
