// AVX-512 helpers; include only from *_avx512.cc files (compiled with
// -mavx512f -mavx512bw -mavx512vl -mavx512vnni). Everything here has internal
// linkage so no copy of it can leak to portable callers.
#pragma once

#include <immintrin.h>

#include "model/fast/args.h"

namespace vww::fast {
namespace {

// The requantization constants of 16 consecutive output channels.
struct Requant16 {
  __m512i multiplier, multiplier_odd, left_shift, right_shift, mask, threshold;
  __m512i offset, lo, hi;
};

inline Requant16 LoadRequant16(const RequantArgs& r, int c) {
  Requant16 q;
  q.multiplier = _mm512_loadu_si512(r.multiplier + c);
  q.multiplier_odd = _mm512_srli_epi64(q.multiplier, 32);
  q.left_shift = _mm512_loadu_si512(r.left_shift + c);
  q.right_shift = _mm512_loadu_si512(r.right_shift + c);
  q.mask = _mm512_loadu_si512(r.round_mask + c);
  q.threshold = _mm512_loadu_si512(r.round_threshold + c);
  q.offset = _mm512_set1_epi32(r.output_offset);
  q.lo = _mm512_set1_epi32(r.act_min);
  q.hi = _mm512_set1_epi32(r.act_max);
  return q;
}

// MultiplyByQuantizedMultiplier + offset + clamp on 16 lanes, bit-exact:
// SaturatingRoundingDoublingHighMul(a, b) is floor((a*b + 2^30) / 2^31) for
// every input but a == b == INT32_MIN (multipliers are never INT32_MIN), and
// RoundingDivideByPOT rounds half away from zero via TFLite's mask/threshold.
template <bool kLeftShift>
inline __m512i Requantize16(__m512i x, const Requant16& q) {
  if (kLeftShift) x = _mm512_sllv_epi32(x, q.left_shift);
  const __m512i round = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, q.multiplier), round);
  const __m512i odd =
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), q.multiplier_odd), round);
  // Bits 31..62 of each product: the even lanes shift down, the odd lanes
  // shift up into the high half.
  const __m512i high =
      _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i remainder = _mm512_and_si512(high, q.mask);
  const __m512i threshold = _mm512_add_epi32(q.threshold, _mm512_srli_epi32(high, 31));
  __m512i r = _mm512_srav_epi32(high, q.right_shift);
  r = _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, threshold), r,
                            _mm512_set1_epi32(1));
  r = _mm512_add_epi32(r, q.offset);
  return _mm512_min_epi32(_mm512_max_epi32(r, q.lo), q.hi);
}

inline __mmask16 TailMask16(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

// Stores the low byte of `count` (<= 16) lanes.
inline void Store16(int8_t* dst, __m512i v, int count) {
  const __m128i b = _mm512_cvtepi32_epi8(v);
  if (count >= 16)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), b);
  else
    _mm_mask_storeu_epi8(dst, TailMask16(count), b);
}

}  // namespace
}  // namespace vww::fast
