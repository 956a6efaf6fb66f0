// AVX2 helpers; include only from *_avx2.cc files (compiled with -mavx2
// -mfma). Internal linkage, for the same reason as simd_avx512.h.
#pragma once

#include <immintrin.h>

#include "model/fast/args.h"

namespace vww::fast {
namespace {

struct Requant8 {
  __m256i multiplier, multiplier_odd, left_shift, right_shift, mask, threshold;
  __m256i offset, lo, hi;
};

inline Requant8 LoadRequant8(const RequantArgs& r, int c) {
  auto load = [](const int32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  };
  Requant8 q;
  q.multiplier = load(r.multiplier + c);
  q.multiplier_odd = _mm256_srli_epi64(q.multiplier, 32);
  q.left_shift = load(r.left_shift + c);
  q.right_shift = load(r.right_shift + c);
  q.mask = load(r.round_mask + c);
  q.threshold = load(r.round_threshold + c);
  q.offset = _mm256_set1_epi32(r.output_offset);
  q.lo = _mm256_set1_epi32(r.act_min);
  q.hi = _mm256_set1_epi32(r.act_max);
  return q;
}

// Bit-exact MultiplyByQuantizedMultiplier + offset + clamp (see simd_avx512.h).
template <bool kLeftShift>
inline __m256i Requantize8(__m256i x, const Requant8& q) {
  if (kLeftShift) x = _mm256_sllv_epi32(x, q.left_shift);
  const __m256i round = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, q.multiplier), round);
  const __m256i odd =
      _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), q.multiplier_odd), round);
  const __m256i high =
      _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i remainder = _mm256_and_si256(high, q.mask);
  const __m256i threshold = _mm256_add_epi32(q.threshold, _mm256_srli_epi32(high, 31));
  __m256i r = _mm256_srav_epi32(high, q.right_shift);
  // cmpgt gives -1 where the remainder rounds up.
  r = _mm256_sub_epi32(r, _mm256_cmpgt_epi32(remainder, threshold));
  r = _mm256_add_epi32(r, q.offset);
  return _mm256_min_epi32(_mm256_max_epi32(r, q.lo), q.hi);
}

// Stores the low byte of `count` (<= 8) lanes; values are already in int8 range.
inline void Store8(int8_t* dst, __m256i v, int count) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i b = _mm_packs_epi16(w, w);
  if (count >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), b);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), b);
    for (int i = 0; i < count; ++i) dst[i] = tmp[i];
  }
}

// Sign-extends 8 int8 values to int32; reads exactly `count` (<= 8) bytes.
inline __m256i Load8x8(const int8_t* src, int count) {
  if (count >= 8)
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
  int8_t tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < count; ++i) tmp[i] = src[i];
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(tmp)));
}

}  // namespace
}  // namespace vww::fast
