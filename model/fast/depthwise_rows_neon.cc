// DEPTHWISE_CONV_2D rows with NEON (dw-rows-e16-neon, see DepthwiseRowArgs):
// one batch of the padded input copy is already in a.scratch. Each chunk is
// 16 output elements; the inputs are widened to int16 and vmlal_s16
// multiplies them by the int16 weights into four int32x4 accumulators. Four
// chunks are in flight at once (DepthwiseRowLoop) so the dependent
// accumulations of one chunk do not serialize on the multiply latency.
#include "model/fast/args.h"
#include "model/fast/depthwise_row_loop.h"
#include "model/fast/mca_region.h"
#include "model/fast/simd_neon.h"

namespace vww::fast {

namespace {

inline void MulAdd16(int32x4_t acc[4], int8x16_t x, const int16_t* w) {
  const int16x8_t x_lo = vmovl_s8(vget_low_s8(x)), x_hi = vmovl_high_s8(x);
  const int16x8_t w_lo = vld1q_s16(w), w_hi = vld1q_s16(w + 8);
  acc[0] = vmlal_s16(acc[0], vget_low_s16(x_lo), vget_low_s16(w_lo));
  acc[1] = vmlal_high_s16(acc[1], x_lo, w_lo);
  acc[2] = vmlal_s16(acc[2], vget_low_s16(x_hi), vget_low_s16(w_hi));
  acc[3] = vmlal_high_s16(acc[3], x_hi, w_hi);
}

// Channels in contiguous chunks: the input of lane l at tap t is the byte at
// row + chunk_input[k] + tap_offset[t] + l.
template <int kTaps, int kChunks, bool kLeftShift, bool kFixup>
inline void ContiguousChunks(const DepthwiseRowArgs& a, const uint8_t* row, const long* tap_offset,
                             int taps, int k0, int pattern0, int8_t* out) {
  const int n = kTaps ? kTaps : taps;
  int32x4_t acc[kChunks][4];
  const int8_t* in[kChunks];
  int pattern[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    // (k0 + i) % patterns without a division per chunk.
    pattern[i] = pattern0 + i;
    while (pattern[i] >= a.patterns) pattern[i] -= a.patterns;
    for (int j = 0; j < 4; ++j) acc[i][j] = vld1q_s32(a.bias + pattern[i] * 16 + 4 * j);
    in[i] = reinterpret_cast<const int8_t*>(row + a.chunk_input[k0 + i]);
  }
  for (int t = 0; t < n; ++t) {
    VWW_MCA_BEGIN("dw-rows-e16-neon");
    const int16_t* w = a.weights16 + static_cast<long>(t) * a.patterns * 16;
    for (int i = 0; i < kChunks; ++i)
      MulAdd16(acc[i], vld1q_s8(in[i] + tap_offset[t]), w + pattern[i] * 16);
    VWW_MCA_END();
  }
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e,
            Requantize16<kLeftShift, kFixup>(acc[i], LoadRequantNeon(a.rq, pattern[i] * 16)),
            a.row_elements - e);
  }
}

// One input channel: lane l of a chunk reads byte gather[tx][l] of a 16-byte
// load from the chunk's first input pixel (one vqtbl1q_u8 per tap), one load
// per filter row.
template <int kChunks, bool kLeftShift, bool kFixup>
inline void BroadcastChunks(const DepthwiseRowArgs& a, const uint8x16_t* gather, const uint8_t* row,
                            long row_bytes, int k0, int8_t* out) {
  int32x4_t acc[kChunks][4];
  for (int i = 0; i < kChunks; ++i)
    for (int j = 0; j < 4; ++j) acc[i][j] = vld1q_s32(a.bias + 4 * j);
  for (int ty = 0; ty < a.kh; ++ty) {
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    uint8x16_t v[kChunks];
    for (int i = 0; i < kChunks; ++i) v[i] = vld1q_u8(r + a.chunk_input[k0 + i]);
    for (int tx = 0; tx < a.kw; ++tx) {
      const int16_t* w = a.weights16 + (ty * a.kw + tx) * 16;
      for (int i = 0; i < kChunks; ++i)
        MulAdd16(acc[i], vreinterpretq_s8_u8(vqtbl1q_u8(v[i], gather[tx])), w);
    }
  }
  const RequantNeon q = LoadRequantNeon(a.rq, 0);
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e, Requantize16<kLeftShift, kFixup>(acc[i], q), a.row_elements - e);
  }
}

template <int kTaps, bool kLeftShift, bool kFixup>
void Run(const DepthwiseRowArgs& a) {
  // The broadcast gather as byte indices for vqtbl1q_u8.
  uint8x16_t gather[kMaxDepthwiseTaps];
  if (a.broadcast_input)
    for (int tx = 0; tx < a.kw; ++tx) {
      uint8_t bytes[16];
      for (int l = 0; l < 16; ++l) bytes[l] = static_cast<uint8_t>(a.gather[tx * 16 + l]);
      gather[tx] = vld1q_u8(bytes);
    }
  DepthwiseRowLoop(
      a,
      [&](auto chunks, const uint8_t* row, long row_bytes, int k, int8_t* out) {
        BroadcastChunks<decltype(chunks)::value, kLeftShift, kFixup>(a, gather, row, row_bytes, k,
                                                                     out);
      },
      [&](auto chunks, const uint8_t* row, const long* tap_offset, int taps, int k, int pattern,
          int8_t* out) {
        ContiguousChunks<kTaps, decltype(chunks)::value, kLeftShift, kFixup>(a, row, tap_offset,
                                                                             taps, k, pattern, out);
      });
}

template <bool kLeftShift, bool kFixup>
void Dispatch(const DepthwiseRowArgs& a) {
  if (a.kh == 3 && a.kw == 3)
    Run<9, kLeftShift, kFixup>(a);
  else
    Run<0, kLeftShift, kFixup>(a);
}

}  // namespace

void DepthwiseRowsNeon(const DepthwiseRowArgs& a) {
  const bool fixup = RequantFixupNeeded(a.rq);
  if (a.rq.any_left_shift)
    fixup ? Dispatch<true, true>(a) : Dispatch<true, false>(a);
  else
    fixup ? Dispatch<false, true>(a) : Dispatch<false, false>(a);
}

}  // namespace vww::fast
