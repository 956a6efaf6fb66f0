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
  __m512i add_even, add_odd, floor_shift;  // kRqFloor only
};

inline Requant16 LoadRequant16(const RequantArgs& r, int c) {
  Requant16 q;
  if (r.floor_path) {
    q.multiplier = _mm512_loadu_si512(r.multiplier + c);
    q.multiplier_odd = _mm512_srli_epi64(q.multiplier, 32);
    q.add_even = _mm512_loadu_si512(r.floor_add + c);
    q.add_odd = _mm512_loadu_si512(r.floor_add + c + 8);
    q.floor_shift = _mm512_loadu_si512(r.floor_shift + c);
    q.lo = _mm512_set1_epi32(r.act_min);
    q.hi = _mm512_set1_epi32(r.act_max);
    return q;
  }
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
// kRqFloor: RequantData::EnableFloor's one-rounding form (offset included).
template <bool kClamp>
inline __m512i RequantizeFloor16(__m512i x, const Requant16& q) {
  // n = acc * m + add in 64 bits, for the even and the odd lanes; the high
  // half of each n is floor(n / 2^32) and already sits in an odd dword.
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, q.multiplier), q.add_even);
  const __m512i odd =
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), q.multiplier_odd), q.add_odd);
  // The even results' high halves move down into the even lanes; then the
  // rest of the shift, 31 + rs - 32.
  const __m512i high = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_DDBB);
  const __m512i r = _mm512_srav_epi32(high, q.floor_shift);
  // Without the clamp, Store16's saturating narrowing clamps to [-128, 127].
  return kClamp ? _mm512_min_epi32(_mm512_max_epi32(r, q.lo), q.hi) : r;
}

template <int kMode>
inline __m512i Requantize16(__m512i x, const Requant16& q) {
  if (kMode == kRqFloor) return RequantizeFloor16<true>(x, q);
  if (kMode == kRqFloorFull) return RequantizeFloor16<false>(x, q);
  if (kMode == kRqLeftShift) x = _mm512_sllv_epi32(x, q.left_shift);
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

// vpdpbusd / vpdpwssd accumulating in place. GCC 12's intrinsics copy the
// accumulator to a fresh register around every instruction in unrolled tiles
// (about one extra move per multiply-add, measured with perf); the "+v"
// constraint keeps it where it is. a: u8 (dpbusd) or s16 pairs, b: s8 / s16.
inline __m512i DpBusd(__m512i acc, __m512i a, __m512i b) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "vm"(b));
  return acc;
}

inline __m512i DpWssd(__m512i acc, __m512i a, __m512i b) {
  __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "vm"(b));
  return acc;
}

inline __mmask16 TailMask16(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

// Stores `count` (<= 16) lanes narrowed to int8 with saturation (values are
// already in range, except kRqFloorFull's, for which this is the clamp).
inline void Store16(int8_t* dst, __m512i v, int count) {
  const __m128i b = _mm512_cvtsepi32_epi8(v);
  if (count >= 16)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), b);
  else
    _mm_mask_storeu_epi8(dst, TailMask16(count), b);
}

// Stores 4 vectors as 64 consecutive int8 (v[0]'s 16 lanes first), narrowed
// with saturation like Store16: one 64-byte store instead of four, and two
// packs and a permute instead of four vpmovsdb. The packs saturate to int16
// then int8, which is the same as saturating to int8 directly. They work per
// 128-bit lane, so dword 4k + q of the packed vector holds lanes 4k..4k+3 of
// v[q]; the permute moves it to dword 4q + k.
inline void Store64(int8_t* dst, __m512i v0, __m512i v1, __m512i v2, __m512i v3) {
  const __m512i packed = _mm512_packs_epi16(_mm512_packs_epi32(v0, v1), _mm512_packs_epi32(v2, v3));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  _mm512_storeu_si512(dst, _mm512_permutexvar_epi32(order, packed));
}

// What the register-resident quad kernels with a 3-row filter and one
// pattern keep in registers for a whole layer (DepthwiseRowArgs::quads).
struct QuadRows3 {
  __m512i index, w0, w1, w2, bias;
  Requant16 q;
};

inline QuadRows3 LoadQuadRows3(const DepthwiseRowArgs& a) {
  return {_mm512_loadu_si512(a.quad_index),        _mm512_loadu_si512(a.quad_weights),
          _mm512_loadu_si512(a.quad_weights + 64), _mm512_loadu_si512(a.quad_weights + 128),
          _mm512_loadu_si512(a.quad_bias),         LoadRequant16(a.rq, 0)};
}

// The row loop of the register-resident row kernels (DepthwiseRowArgs):
// chunk(src) returns the 16 requantized outputs of the chunk whose input
// starts at src. Four chunks per step: independent chains hide the vpdpbusd
// latency, and their 64 output bytes go out in one store.
template <typename Chunk>
inline void ChunkRows(const DepthwiseRowArgs& a, long row_bytes, Chunk chunk) {
  const int full = a.row_elements / 16;  // chunks without a tail
  for (int oy = 0; oy < a.out_h; ++oy) {
    const uint8_t* row = a.scratch + oy * a.stride_h * row_bytes;
    int8_t* out = a.output + static_cast<long>(oy) * a.row_elements;
    int k = 0;
    for (; k + 4 <= full; k += 4) {
      const __m512i r0 = chunk(row + a.chunk_input[k]);
      const __m512i r1 = chunk(row + a.chunk_input[k + 1]);
      const __m512i r2 = chunk(row + a.chunk_input[k + 2]);
      const __m512i r3 = chunk(row + a.chunk_input[k + 3]);
      Store64(out + k * 16, r0, r1, r2, r3);
    }
    for (; k < a.chunks; ++k)
      Store16(out + k * 16, chunk(row + a.chunk_input[k]), a.row_elements - k * 16);
  }
}

}  // namespace
}  // namespace vww::fast
