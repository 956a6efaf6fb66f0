// Global AVERAGE_POOL_2D with AVX-512: 16 channels per vector, the sums in
// int32 lanes and the rounded division as one 32-bit multiply and shift (the
// portable kernel's 64-bit form is scalar; its per-channel loop was most of
// the layer's time).
#include "model/fast/args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

void GlobalPoolAvx512(const GlobalPoolArgs& a) {
  const __m512i half = _mm512_set1_epi32(a.count_half);
  const __m512i reciprocal = _mm512_set1_epi32(static_cast<int32_t>(a.reciprocal));
  const __m128i shift = _mm_cvtsi32_si128(a.shift);
  const __m512i lo = _mm512_set1_epi32(a.act_min), hi = _mm512_set1_epi32(a.act_max);
  for (int b = 0; b < a.batches; ++b) {
    const int8_t* image = a.input + static_cast<long>(b) * a.pixels * a.depth;
    int8_t* out = a.output + static_cast<long>(b) * a.depth;
    for (int c = 0; c < a.depth; c += 16) {
      const __mmask16 m = TailMask16(a.depth - c);
      __m512i sum = _mm512_setzero_si512();
      for (int p = 0; p < a.pixels; ++p)
        sum = _mm512_add_epi32(sum, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(
                                        m, image + static_cast<long>(p) * a.depth + c)));
      // |acc| + count/2 times the reciprocal stays below 2^32 (checked in
      // prepare), so the low half of the product is the whole product.
      const __m512i magnitude = _mm512_add_epi32(_mm512_abs_epi32(sum), half);
      const __m512i q = _mm512_srl_epi32(_mm512_mullo_epi32(magnitude, reciprocal), shift);
      const __mmask16 negative = _mm512_cmplt_epi32_mask(sum, _mm512_setzero_si512());
      const __m512i v = _mm512_mask_sub_epi32(q, negative, _mm512_setzero_si512(), q);
      _mm_mask_storeu_epi8(out + c, m,
                           _mm512_cvtepi32_epi8(_mm512_min_epi32(_mm512_max_epi32(v, lo), hi)));
    }
  }
}

}  // namespace vww::fast
