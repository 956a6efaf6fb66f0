// im2col for the CONV_2D GEMM form with AVX-512 (masked byte loads and
// stores): every run of taps that is contiguous in the input (a filter row
// when the dilation is 1, else one tap) is one masked copy, its clipped edges
// one masked fill.
#include "model/fast/args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

inline __mmask64 Mask(long n) { return n >= 64 ? ~0ull : (n <= 0 ? 0 : (~0ull) >> (64 - n)); }

// dst[0, n) = pad
inline void Fill(uint8_t* dst, long n, __m512i pad) {
  for (long i = 0; i < n; i += 64) _mm512_mask_storeu_epi8(dst + i, Mask(n - i), pad);
}

// dst[0, n) = src[0, n) ^ flip
inline void Copy(uint8_t* dst, const int8_t* src, long n, __m512i flip) {
  for (long i = 0; i < n; i += 64) {
    const __mmask64 m = Mask(n - i);
    _mm512_mask_storeu_epi8(dst + i, m,
                            _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), flip));
  }
}

}  // namespace

void Im2colAvx512(const Im2colArgs& a) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(a.flip));
  const __m512i pad =
      _mm512_set1_epi8(static_cast<char>(static_cast<uint8_t>(a.pad_value) ^ a.flip));
  const long c = a.in_c;
  // Taps per contiguous run, and runs per filter row.
  const int run_taps = a.dilation_w == 1 ? a.kw : 1;
  const int runs = a.kw / run_taps;
  const long run_bytes = run_taps * c;
  const long used = static_cast<long>(a.kh) * a.kw * c;
  uint8_t* dst = a.rows;
  for (int b = 0; b < a.batches; ++b) {
    const int8_t* image = a.input + static_cast<long>(b) * a.in_h * a.in_w * c;
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        uint8_t* d = dst;
        for (int ky = 0; ky < a.kh; ++ky) {
          const int iy = oy * a.stride_h - a.pad_h + ky * a.dilation_h;
          if (iy < 0 || iy >= a.in_h) {
            Fill(d, a.kw * c, pad);
            d += a.kw * c;
            continue;
          }
          const int8_t* row = image + static_cast<long>(iy) * a.in_w * c;
          for (int r = 0; r < runs; ++r) {
            const int ix0 = ox * a.stride_w - a.pad_w + r * a.dilation_w;
            // Taps [lo, hi) of the run lie inside the input.
            const int lo = ix0 < 0 ? -ix0 : 0;
            const int hi = ix0 + run_taps > a.in_w ? a.in_w - ix0 : run_taps;
            if (hi <= lo) {
              Fill(d, run_bytes, pad);
            } else {
              if (lo > 0) Fill(d, lo * c, pad);
              Copy(d + lo * c, row + (ix0 + lo) * c, (hi - lo) * c, flip);
              if (hi < run_taps) Fill(d + hi * c, (run_taps - hi) * c, pad);
            }
            d += run_bytes;
          }
        }
        if (a.depth > used) Fill(dst + used, a.depth - used, _mm512_setzero_si512());
        dst += a.depth;
      }
  }
}

}  // namespace vww::fast
