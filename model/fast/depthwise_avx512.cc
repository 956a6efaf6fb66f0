// DEPTHWISE_CONV_2D with AVX-512: 16 channels per vector. Inputs are
// sign-extended to int32 lanes and vpdpwssd multiplies their low halves by
// the 16-bit weights (whose high halves are zero), accumulating in one
// instruction per tap.
#include "model/fast/args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

template <int kTaps, int kRq>
void Run(const DepthwiseArgs& a) {
  const int taps = kTaps ? kTaps : a.kh * a.kw;
  // Element offsets of the taps from a window's top-left input pixel.
  long interior_offset[kMaxDepthwiseTaps];
  int tap_y[kMaxDepthwiseTaps], tap_x[kMaxDepthwiseTaps];
  for (int t = 0; t < taps; ++t) {
    tap_y[t] = (t / a.kw) * a.dilation_h;
    tap_x[t] = (t % a.kw) * a.dilation_w;
    interior_offset[t] = (static_cast<long>(tap_y[t]) * a.in_w + tap_x[t]) * a.in_c;
  }
  const int span_y = (a.kh - 1) * a.dilation_h, span_x = (a.kw - 1) * a.dilation_w;
  const __m512i zero_point = _mm512_set1_epi32(a.input_zero_point);
  const int blocks = (a.out_c + 15) / 16;
  const int tail = a.out_c - (blocks - 1) * 16;
  const __mmask16 tail_mask = TailMask16(tail);
  const int8_t* ptr[kMaxDepthwiseTaps];
  int8_t* out = a.output;
  for (int b = 0; b < a.batches; ++b)
    for (int oy = 0; oy < a.out_h; ++oy) {
      const int iy0 = oy * a.stride_h - a.pad_h;
      const bool rows_inside = iy0 >= 0 && iy0 + span_y < a.in_h;
      for (int ox = 0; ox < a.out_w; ++ox, out += a.out_c) {
        const int ix0 = ox * a.stride_w - a.pad_w;
        const long base = ((static_cast<long>(b) * a.in_h + iy0) * a.in_w + ix0) * a.in_c;
        if (rows_inside && ix0 >= 0 && ix0 + span_x < a.in_w) {
          for (int t = 0; t < taps; ++t) ptr[t] = a.input + (base + interior_offset[t]);
        } else {
          for (int t = 0; t < taps; ++t) {
            const int iy = iy0 + tap_y[t], ix = ix0 + tap_x[t];
            ptr[t] = iy >= 0 && iy < a.in_h && ix >= 0 && ix < a.in_w
                         ? a.input + (base + interior_offset[t])
                         : nullptr;
          }
        }
        for (int blk = 0; blk < blocks; ++blk) {
          const int c = blk * 16;
          const int32_t* w = a.weights + c;
          __m512i acc = _mm512_loadu_si512(a.bias + c);
          if (a.broadcast_input) {
            for (int t = 0; t < taps; ++t) {
              const __m512i x = ptr[t] ? _mm512_set1_epi32(*ptr[t]) : zero_point;
              acc = DpWssd(acc, x, _mm512_loadu_si512(w + t * a.out_c_padded));
            }
          } else if (blk + 1 < blocks || tail == 16) {
            for (int t = 0; t < taps; ++t) {
              const __m512i x = ptr[t] ? _mm512_cvtepi8_epi32(_mm_loadu_si128(
                                             reinterpret_cast<const __m128i*>(ptr[t] + c)))
                                       : zero_point;
              acc = DpWssd(acc, x, _mm512_loadu_si512(w + t * a.out_c_padded));
            }
          } else {
            // Masked loads never touch bytes past the last channel.
            for (int t = 0; t < taps; ++t) {
              const __m512i x =
                  ptr[t] ? _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(tail_mask, ptr[t] + c))
                         : zero_point;
              acc = DpWssd(acc, x, _mm512_loadu_si512(w + t * a.out_c_padded));
            }
          }
          Store16(out + c, Requantize16<kRq>(acc, LoadRequant16(a.rq, c)), a.out_c - c);
        }
      }
    }
}

}  // namespace

void DepthwiseAvx512(const DepthwiseArgs& a) {
  const bool three = a.kh == 3 && a.kw == 3;
  if (a.rq.floor_path)
    a.rq.full_range ? (three ? Run<9, kRqFloorFull>(a) : Run<0, kRqFloorFull>(a))
                    : (three ? Run<9, kRqFloor>(a) : Run<0, kRqFloor>(a));
  else if (a.rq.any_left_shift)
    three ? Run<9, kRqLeftShift>(a) : Run<0, kRqLeftShift>(a);
  else
    three ? Run<9, kRqExact>(a) : Run<0, kRqExact>(a);
}

}  // namespace vww::fast
