// The GEMM of pointwise CONV_2D, im2col CONV_2D and FULLY_CONNECTED with the
// ARMv8.2 dot product (Cortex-A76, Raspberry Pi 5). sdot by lane multiplies a
// weight vector (4 output channels x 4 depth, int8) by one 4-byte group of a
// pixel's row (int8, the same for all 4 lanes) and adds each channel's 4
// products into its int32 lane: exact, with no intermediate narrower than
// int32, so signed bytes need no +128 trick (the zero point is folded into
// the bias). A tile is 4 pixels x 16 channels (4 blocks of 4): 16
// accumulators; per 16 depth, 4 row loads and 16 weight loads feed 64 sdot
// (1024 multiply-adds).
//
// x is the raw int8 input, rows of `depth` (a multiple of 4) bytes; the
// weights are PackGemmWeightsNeon's kNeonDot layout [out_c / 16][depth / 4]
// [16][4]: per group of 4 depth, the 4 blocks' vectors are 64 contiguous bytes.
#include "model/fast/args.h"
#include "model/fast/mca_region.h"
#include "model/fast/simd_neon.h"

namespace vww::fast {

namespace {

// Which form runs the GEMM: only names its llvm-mca region (model/fast/mca_region.h).
enum GemmUse : int { kUseConv1x1, kUseIm2col, kUseFullyConnected };

// The marked loop: 4 pixels for the convolutions, 1 (one batch) for
// FULLY_CONNECTED, both with all 4 blocks.
template <int kUse>
constexpr int kMarkedPixels = kUse == kUseFullyConnected ? 1 : 4;

template <int kUse>
[[gnu::always_inline]] inline void MarkBegin() {
  if constexpr (kUse == kUseConv1x1)
    VWW_MCA_BEGIN("conv1x1-p4xc16-neondot");
  else if constexpr (kUse == kUseIm2col)
    VWW_MCA_BEGIN("conv-im2col-p4xc16-neondot");
  else
    VWW_MCA_BEGIN("fc-pointwise-c16-neondot");
}

// One group of 4 depth (lane kLane of each row vector) for every block.
template <int kLane, int kPixels, int kBlocks>
[[gnu::always_inline]] inline void Step(int32x4_t acc[kPixels][4], const int8x16_t xv[kPixels],
                                        const int8_t* w) {
  for (int j = 0; j < kBlocks; ++j) {
    const int8x16_t wv = vld1q_s8(w + j * 16);
    for (int p = 0; p < kPixels; ++p) acc[p][j] = vdotq_laneq_s32(acc[p][j], wv, xv[p], kLane);
  }
}

// out[p][j] = bias[j] + x[p] * w for kBlocks blocks of 4 channels (bias
// alone past kBlocks). The accumulators are a local array: GCC keeps an
// array passed in by pointer in memory across the loop.
template <int kPixels, int kBlocks, int kUse>
[[gnu::always_inline]] inline void Tile(const int8_t* x, long depth, const int8_t* w,
                                        const int32x4_t bias[4], int32x4_t out[kPixels][4]) {
  constexpr bool kMarked = kBlocks == 4 && kPixels == kMarkedPixels<kUse>;
  int32x4_t acc[kPixels][4];
  for (int p = 0; p < kPixels; ++p)
    for (int j = 0; j < 4; ++j) acc[p][j] = bias[j];
  const long groups = depth / 4;
  long g = 0;
  for (; g + 4 <= groups; g += 4) {
    if constexpr (kMarked) MarkBegin<kUse>();
    int8x16_t xv[kPixels];
    for (int p = 0; p < kPixels; ++p) xv[p] = vld1q_s8(x + p * depth + g * 4);
    const int8_t* wg = w + g * 64;
    Step<0, kPixels, kBlocks>(acc, xv, wg);
    Step<1, kPixels, kBlocks>(acc, xv, wg + 64);
    Step<2, kPixels, kBlocks>(acc, xv, wg + 128);
    Step<3, kPixels, kBlocks>(acc, xv, wg + 192);
    if constexpr (kMarked) VWW_MCA_END();
  }
  for (; g < groups; ++g) {  // the last 1-3 groups: one row dword at a time
    int8x16_t xv[kPixels];
    for (int p = 0; p < kPixels; ++p) {
      int32_t quad;
      __builtin_memcpy(&quad, x + p * depth + g * 4, 4);
      xv[p] = vreinterpretq_s8_s32(vdupq_n_s32(quad));
    }
    Step<0, kPixels, kBlocks>(acc, xv, w + g * 64);
  }
  for (int p = 0; p < kPixels; ++p)
    for (int j = 0; j < 4; ++j) out[p][j] = acc[p][j];
}

struct Column {
  RequantNeon rq;
  int32x4_t bias[4];
  const int8_t* weights;  // [groups][16][4] of this column's 16 channels
  int c0;                 // its first channel
  bool left_shift, fixup;
};

inline int8x16_t Requantize(const int32x4_t acc[4], const Column& col) {
  if (col.left_shift)
    return col.fixup ? Requantize16<true, true>(acc, col.rq)
                     : Requantize16<true, false>(acc, col.rq);
  return col.fixup ? Requantize16<false, true>(acc, col.rq)
                   : Requantize16<false, false>(acc, col.rq);
}

template <int kPixels, int kBlocks, int kUse>
inline void Pixels(const PointwiseArgs& a, const Column& col, const int8_t* x, int8_t* out) {
  int32x4_t acc[kPixels][4];
  Tile<kPixels, kBlocks, kUse>(x, a.depth, col.weights, col.bias, acc);
  // Blocks past kBlocks hold the padding channels' bias; they are not stored.
  for (int p = 0; p < kPixels; ++p)
    Store16(out + static_cast<long>(p) * a.out_c, Requantize(acc[p], col), a.out_c - col.c0);
}

template <int kBlocks, int kUse>
void Columns(const PointwiseArgs& a, const int8_t* x, long pixels, Column& col) {
  const long depth = a.depth;
  int8_t* out = a.output + col.c0;
  long p = 0;
  for (; p + 4 <= pixels; p += 4)
    Pixels<4, kBlocks, kUse>(a, col, x + p * depth, out + p * a.out_c);
  switch (pixels - p) {
    case 3:
      Pixels<3, kBlocks, kUse>(a, col, x + p * depth, out + p * a.out_c);
      break;
    case 2:
      Pixels<2, kBlocks, kUse>(a, col, x + p * depth, out + p * a.out_c);
      break;
    case 1:
      Pixels<1, kBlocks, kUse>(a, col, x + p * depth, out + p * a.out_c);
      break;
    default:
      break;
  }
}

template <int kUse>
void Gemm(const PointwiseArgs& a, const int8_t* x) {
  const long pixels = static_cast<long>(a.batches) * a.out_h * a.out_w;
  const long groups = a.depth / 4;
  Column col;
  col.left_shift = a.rq.any_left_shift;
  col.fixup = RequantFixupNeeded(a.rq);
  // Column by column of 16 channels: its weights stay in L1 while the rows
  // stream past.
  for (int c = 0; c < a.out_c; c += 16) {
    col.c0 = c;
    col.weights = static_cast<const int8_t*>(a.weights) + c / 16 * groups * 64;
    col.rq = LoadRequantNeon(a.rq, c);
    for (int j = 0; j < 4; ++j) col.bias[j] = vld1q_s32(a.bias + c + 4 * j);
    switch ((a.out_c - c + 3) / 4) {
      case 1:
        Columns<1, kUse>(a, x, pixels, col);
        break;
      case 2:
        Columns<2, kUse>(a, x, pixels, col);
        break;
      case 3:
        Columns<3, kUse>(a, x, pixels, col);
        break;
      default:
        Columns<4, kUse>(a, x, pixels, col);
        break;
    }
  }
}

}  // namespace

void PointwiseNeonDot(const PointwiseArgs& a) { Gemm<kUseConv1x1>(a, PointwiseRows(a)); }

void PointwiseGemmNeonDot(const PointwiseArgs& a) {
  Gemm<kUseIm2col>(a, reinterpret_cast<const int8_t*>(a.scratch));
}

void FullyConnectedNeonDot(const PointwiseArgs& a) {
  Gemm<kUseFullyConnected>(a, PointwiseRows(a));
}

}  // namespace vww::fast
