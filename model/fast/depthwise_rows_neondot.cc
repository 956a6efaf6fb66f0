// DEPTHWISE_CONV_2D with the ARMv8.2 dot product (Cortex-A76, Pi 5): sdot
// multiplies 4 int8 pairs per int32 lane, so a quad of taps gathered side by
// side costs one instruction where vmlal needs one per tap. The arm64 twins of
// the AVX-512 quad forms (depthwise_rows_avx512vbmi.cc), with the same
// prepare and packed weights; sdot is int8 x int8, so the copy holds x itself
// (no u8 flip) and the bias needs no -128 * sum(w) correction.
//  - dw3x3-c16-columns-neondot (DepthwiseRowArgs::columns): 3x3 filters on
//    whole 16-channel blocks; a column's 3 rows are 3 loads of the padded
//    copy, zipped into vertical quads shared by the output pixels that read
//    that column; one sdot per 4 channels and filter column does 3 taps.
//  - dw-rows-quads-tbl-neondot (quads, several channels, stride 1): per chunk
//    and filter row, a 32- or 64-byte window and vqtbl2q/vqtbl4q_u8 gather each
//    lane's kw (<= 4) taps into a quad.
//  - dw-stem-quads-tbl-neondot (quads, one input channel): the same from a
//    16-byte window with vqtbl1q_u8.
#include "model/fast/args.h"
#include "model/fast/depthwise_row_loop.h"
#include "model/fast/mca_region.h"
#include "model/fast/simd_neon.h"

namespace vww::fast {

namespace {

// The vertical quads (rows 0, 1, 2 and a repeat of row 2, whose weight is
// zero) of 16 channels: q[g] holds channels 4g..4g+3, one quad per int32 lane.
struct Quads {
  int8x16_t q[4];
};

inline Quads ColumnQuads(const int8_t* p, long row_bytes) {
  const int8x16_t r0 = vld1q_s8(p), r1 = vld1q_s8(p + row_bytes), r2 = vld1q_s8(p + 2 * row_bytes);
  const int16x8_t ab_lo = vreinterpretq_s16_s8(vzip1q_s8(r0, r1));
  const int16x8_t ab_hi = vreinterpretq_s16_s8(vzip2q_s8(r0, r1));
  const int16x8_t cc_lo = vreinterpretq_s16_s8(vzip1q_s8(r2, r2));
  const int16x8_t cc_hi = vreinterpretq_s16_s8(vzip2q_s8(r2, r2));
  return {{vreinterpretq_s8_s16(vzip1q_s16(ab_lo, cc_lo)),
           vreinterpretq_s8_s16(vzip2q_s16(ab_lo, cc_lo)),
           vreinterpretq_s8_s16(vzip1q_s16(ab_hi, cc_hi)),
           vreinterpretq_s8_s16(vzip2q_s16(ab_hi, cc_hi))}};
}

// One block of 16 channels over the whole layer: its weights stay in
// registers, and each output pixel reuses the quads of the columns it shares
// with the previous one (2 of 3 at stride 1, 1 of 3 at stride 2).
template <int kStride, bool kLeftShift, bool kFixup>
void ColumnsBlock(const DepthwiseRowArgs& a, int block) {
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  int8x16_t w[3][4];
  for (int tx = 0; tx < 3; ++tx)
    for (int g = 0; g < 4; ++g)
      w[tx][g] = vld1q_s8(a.quad_weights + (block * 3 + tx) * 64 + 16 * g);
  int32x4_t bias[4];
  for (int g = 0; g < 4; ++g) bias[g] = vld1q_s32(a.quad_bias + block * 16 + 4 * g);
  const RequantNeon q = LoadRequantNeon(a.rq, block * 16);
  for (int oy = 0; oy < a.out_h; ++oy) {
    const int8_t* col =
        reinterpret_cast<const int8_t*>(a.scratch) + oy * a.stride_h * row_bytes + block * 16;
    int8_t* out = a.output + static_cast<long>(oy) * a.row_elements + block * 16;
    // c0, c1, c2: the quads of the current pixel's columns.
    Quads c0 = ColumnQuads(col, row_bytes);
    Quads c1 = ColumnQuads(col + a.in_c, row_bytes);
    for (int ox = 0; ox < a.out_w; ++ox, out += a.in_c) {
      VWW_MCA_BEGIN("dw3x3-c16-columns-neondot");
      const Quads c2 = ColumnQuads(col + static_cast<long>(ox * kStride + 2) * a.in_c, row_bytes);
      int32x4_t acc[4];
      for (int g = 0; g < 4; ++g) {
        acc[g] = vdotq_s32(bias[g], c0.q[g], w[0][g]);
        acc[g] = vdotq_s32(acc[g], c1.q[g], w[1][g]);
        acc[g] = vdotq_s32(acc[g], c2.q[g], w[2][g]);
      }
      vst1q_s8(out, Requantize16<kLeftShift, kFixup>(acc, q));
      if (kStride == 1) {
        c0 = c1;
        c1 = c2;
      } else if (ox + 1 < a.out_w) {
        c0 = c2;
        c1 = ColumnQuads(col + static_cast<long>(ox * kStride + 3) * a.in_c, row_bytes);
      }
      VWW_MCA_END();
    }
  }
}

template <int kStride, bool kLeftShift, bool kFixup>
void RunColumns(const DepthwiseRowArgs& a) {
  for (int b = 0; b < a.in_c / 16; ++b) ColumnsBlock<kStride, kLeftShift, kFixup>(a, b);
}

// The gathered quads of one chunk and filter row, one sdot per 4 lanes.
inline void DotRow(int32x4_t acc[4], const uint8x16_t quads[4], const int8_t* w) {
  for (int g = 0; g < 4; ++g)
    acc[g] = vdotq_s32(acc[g], vreinterpretq_s8_u8(quads[g]), vld1q_s8(w + 16 * g));
}

// Several channels, stride 1: lane l of a chunk takes its taps from the
// window at the chunk's input, bytes quad_index[4l + tx].
template <int kChunks, int kWindow, bool kLeftShift, bool kFixup>
inline void QuadChunks(const DepthwiseRowArgs& a, const uint8x16_t index[4], const uint8_t* row,
                       long row_bytes, int k0, int pattern0, int8_t* out) {
  int32x4_t acc[kChunks][4];
  int pattern[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    pattern[i] = pattern0 + i;
    while (pattern[i] >= a.patterns) pattern[i] -= a.patterns;
    for (int g = 0; g < 4; ++g) acc[i][g] = vld1q_s32(a.quad_bias + pattern[i] * 16 + 4 * g);
  }
  for (int ty = 0; ty < a.kh; ++ty) {
    VWW_MCA_BEGIN("dw-rows-quads-tbl-neondot");
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    const int8_t* w = a.quad_weights + static_cast<long>(ty) * a.patterns * 64;
    for (int i = 0; i < kChunks; ++i) {
      const uint8_t* src = r + a.chunk_input[k0 + i];
      uint8x16_t quads[4];
      if (kWindow == 32) {
        const uint8x16x2_t bytes = vld1q_u8_x2(src);
        for (int g = 0; g < 4; ++g) quads[g] = vqtbl2q_u8(bytes, index[g]);
      } else {
        const uint8x16x4_t bytes = vld1q_u8_x4(src);
        for (int g = 0; g < 4; ++g) quads[g] = vqtbl4q_u8(bytes, index[g]);
      }
      DotRow(acc[i], quads, w + pattern[i] * 64);
    }
    VWW_MCA_END();
  }
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e,
            Requantize16<kLeftShift, kFixup>(acc[i], LoadRequantNeon(a.rq, pattern[i] * 16)),
            a.row_elements - e);
  }
}

// One input channel: every tap of a chunk lies in the 16 bytes at its input.
template <int kChunks, bool kLeftShift, bool kFixup>
inline void StemQuadChunks(const DepthwiseRowArgs& a, const uint8x16_t index[4],
                           const RequantNeon& q, const uint8_t* row, long row_bytes, int k0,
                           int8_t* out) {
  int32x4_t acc[kChunks][4];
  for (int i = 0; i < kChunks; ++i)
    for (int g = 0; g < 4; ++g) acc[i][g] = vld1q_s32(a.quad_bias + 4 * g);
  for (int ty = 0; ty < a.kh; ++ty) {
    VWW_MCA_BEGIN("dw-stem-quads-tbl-neondot");
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    const int8_t* w = a.quad_weights + ty * 64;
    for (int i = 0; i < kChunks; ++i) {
      const uint8x16_t bytes = vld1q_u8(r + a.chunk_input[k0 + i]);
      uint8x16_t quads[4];
      for (int g = 0; g < 4; ++g) quads[g] = vqtbl1q_u8(bytes, index[g]);
      DotRow(acc[i], quads, w);
    }
    VWW_MCA_END();
  }
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e, Requantize16<kLeftShift, kFixup>(acc[i], q), a.row_elements - e);
  }
}

template <int kWindow, bool kLeftShift, bool kFixup>
void RunQuads(const DepthwiseRowArgs& a) {
  uint8x16_t index[4];
  for (int g = 0; g < 4; ++g) index[g] = vld1q_u8(a.quad_index + 16 * g);
  const RequantNeon q = LoadRequantNeon(a.rq, 0);
  DepthwiseRowLoop(
      a,
      [&](auto chunks, const uint8_t* row, long row_bytes, int k, int8_t* out) {
        StemQuadChunks<decltype(chunks)::value, kLeftShift, kFixup>(a, index, q, row, row_bytes, k,
                                                                    out);
      },
      [&](auto chunks, const uint8_t* row, const long*, int, int k, int pattern, int8_t* out) {
        const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
        QuadChunks<decltype(chunks)::value, kWindow, kLeftShift, kFixup>(a, index, row, row_bytes,
                                                                         k, pattern, out);
      });
}

template <bool kLeftShift, bool kFixup>
void Dispatch(const DepthwiseRowArgs& a) {
  if (a.columns) {
    if (a.stride_w == 1)
      RunColumns<1, kLeftShift, kFixup>(a);
    else
      RunColumns<2, kLeftShift, kFixup>(a);
    return;
  }
  bool window32 = true;
  for (int i = 0; i < 64; ++i) window32 = window32 && a.quad_index[i] < 32;
  if (window32)
    RunQuads<32, kLeftShift, kFixup>(a);
  else
    RunQuads<64, kLeftShift, kFixup>(a);
}

}  // namespace

void DepthwiseRowsNeonDot(const DepthwiseRowArgs& a) {
  const bool fixup = RequantFixupNeeded(a.rq);
  if (a.rq.any_left_shift)
    fixup ? Dispatch<true, true>(a) : Dispatch<true, false>(a);
  else
    fixup ? Dispatch<false, true>(a) : Dispatch<false, false>(a);
}

}  // namespace vww::fast
