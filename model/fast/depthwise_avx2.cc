// DEPTHWISE_CONV_2D with AVX2: 8 channels per vector, sign-extended to int32
// lanes; vpmaddwd against 16-bit weights (high halves zero) gives exact
// products.
#include "model/fast/args.h"
#include "model/fast/simd_avx2.h"

namespace vww::fast {

namespace {

template <int kTaps, bool kLeftShift>
void Run(const DepthwiseArgs& a) {
  const int taps = kTaps ? kTaps : a.kh * a.kw;
  long interior_offset[kMaxDepthwiseTaps];
  int tap_y[kMaxDepthwiseTaps], tap_x[kMaxDepthwiseTaps];
  for (int t = 0; t < taps; ++t) {
    tap_y[t] = (t / a.kw) * a.dilation_h;
    tap_x[t] = (t % a.kw) * a.dilation_w;
    interior_offset[t] = (static_cast<long>(tap_y[t]) * a.in_w + tap_x[t]) * a.in_c;
  }
  const int span_y = (a.kh - 1) * a.dilation_h, span_x = (a.kw - 1) * a.dilation_w;
  const __m256i zero_point = _mm256_set1_epi32(a.input_zero_point);
  const int blocks = (a.out_c + 7) / 8;
  const int8_t* ptr[kMaxDepthwiseTaps];
  int8_t* out = a.output;
  auto load_w = [&](const int32_t* w) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
  };
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
          const int c = blk * 8;
          const int count = a.out_c - c;
          const int32_t* w = a.weights + c;
          __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bias + c));
          for (int t = 0; t < taps; ++t) {
            __m256i x = zero_point;
            if (ptr[t])
              x = a.broadcast_input ? _mm256_set1_epi32(*ptr[t]) : Load8x8(ptr[t] + c, count);
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(x, load_w(w + t * a.out_c_padded)));
          }
          Store8(out + c, Requantize8<kLeftShift>(acc, LoadRequant8(a.rq, c)), count);
        }
      }
    }
}

}  // namespace

void DepthwiseAvx2(const DepthwiseArgs& a) {
  const bool three = a.kh == 3 && a.kw == 3;
  if (a.rq.any_left_shift)
    three ? Run<9, true>(a) : Run<0, true>(a);
  else
    three ? Run<9, false>(a) : Run<0, false>(a);
}

}  // namespace vww::fast
