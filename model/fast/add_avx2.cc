// ADD (same shapes) with AVX2: TFLite's rescalings on 8 int32 lanes (see
// add.cc and add_avx512.cc for the arithmetic).
#include <immintrin.h>

#include "model/fast/elementwise_args.h"

namespace vww::fast {

namespace {

struct Scale8 {
  __m256i multiplier, mask, threshold;
  __m128i shift;
};

Scale8 MakeScale8(int32_t multiplier, int right_shift) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right_shift) - 1);
  return {_mm256_set1_epi32(multiplier), _mm256_set1_epi32(mask), _mm256_set1_epi32(mask >> 1),
          _mm_cvtsi32_si128(right_shift)};
}

inline __m256i Scale(__m256i x, const Scale8& s) {
  const __m256i round = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, s.multiplier), round);
  const __m256i odd =
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), s.multiplier), round);
  const __m256i high =
      _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i remainder = _mm256_and_si256(high, s.mask);
  const __m256i threshold = _mm256_add_epi32(s.threshold, _mm256_srli_epi32(high, 31));
  const __m256i r = _mm256_sra_epi32(high, s.shift);
  // cmpgt is -1 where the remainder rounds up.
  return _mm256_sub_epi32(r, _mm256_cmpgt_epi32(remainder, threshold));
}

}  // namespace

void AddAvx2(const AddArgs& a) {
  const Scale8 s1 = MakeScale8(a.input1_multiplier, a.input1_right_shift);
  const Scale8 s2 = MakeScale8(a.input2_multiplier, a.input2_right_shift);
  const Scale8 so = MakeScale8(a.output_multiplier, a.output_right_shift);
  const __m256i offset1 = _mm256_set1_epi32(a.input1_offset);
  const __m256i offset2 = _mm256_set1_epi32(a.input2_offset);
  const __m256i output_offset = _mm256_set1_epi32(a.output_offset);
  const __m256i lo = _mm256_set1_epi32(a.act_min), hi = _mm256_set1_epi32(a.act_max);
  const __m128i left_shift = _mm_cvtsi32_si128(a.left_shift);
  long i = 0;
  for (; i + 8 <= a.elements; i += 8) {
    const __m256i x1 =
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a.input1 + i)));
    const __m256i x2 =
        _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a.input2 + i)));
    const __m256i v1 = _mm256_sll_epi32(_mm256_add_epi32(x1, offset1), left_shift);
    const __m256i v2 = _mm256_sll_epi32(_mm256_add_epi32(x2, offset2), left_shift);
    const __m256i sum = _mm256_add_epi32(Scale(v1, s1), Scale(v2, s2));
    __m256i r = _mm256_add_epi32(Scale(sum, so), output_offset);
    r = _mm256_min_epi32(_mm256_max_epi32(r, lo), hi);
    // Values are in [-128, 127]: the packs only gather the low bytes.
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(a.output + i), _mm_packs_epi16(w, w));
  }
  // The tail (< 8 elements) in scalar form, the same steps.
  for (; i < a.elements; ++i) {
    int32_t v[2] = {(a.input1[i] + a.input1_offset) * (1 << a.left_shift),
                    (a.input2[i] + a.input2_offset) * (1 << a.left_shift)};
    const Scale8* s[2] = {&s1, &s2};
    int32_t scaled[2];
    for (int k = 0; k < 2; ++k) {
      const __m256i one = Scale(_mm256_set1_epi32(v[k]), *s[k]);
      scaled[k] = _mm256_extract_epi32(one, 0);
    }
    int32_t r = _mm256_extract_epi32(Scale(_mm256_set1_epi32(scaled[0] + scaled[1]), so), 0);
    r += a.output_offset;
    a.output[i] = static_cast<int8_t>(r < a.act_min ? a.act_min : r > a.act_max ? a.act_max : r);
  }
}

}  // namespace vww::fast
