// NEON helpers; include only from *_neon.cc / *_neondot.cc files (arm64).
// Internal linkage, for the same reason as simd_avx512.h: the dot-product
// files are compiled with -march=armv8.2-a+dotprod, and no copy of an inline
// helper compiled there may be picked by the linker for baseline callers.
#pragma once

#include <arm_neon.h>

#include <cstring>

#include "model/fast/args.h"

namespace vww::fast {
namespace {

// The requantization constants of 4 lanes (one int32x4 of a 16-lane group).
struct RequantNeon4 {
  int32x4_t multiplier, left_shift, right_shift;  // right_shift negated, for vrshlq_s32
};

// The constants of 16 lanes, and what every lane shares.
struct RequantNeon {
  RequantNeon4 q[4];
  int32x4_t offset, lo, hi;
};

inline RequantNeon LoadRequantNeon(const RequantArgs& r, int c) {
  RequantNeon q;
  for (int i = 0; i < 4; ++i) {
    q.q[i].multiplier = vld1q_s32(r.multiplier + c + 4 * i);
    q.q[i].left_shift = vld1q_s32(r.left_shift + c + 4 * i);
    q.q[i].right_shift = vnegq_s32(vld1q_s32(r.right_shift + c + 4 * i));
  }
  q.offset = vdupq_n_s32(r.output_offset);
  q.lo = vdupq_n_s32(r.act_min);
  q.hi = vdupq_n_s32(r.act_max);
  return q;
}

// TFLite's RoundingDivideByPOT(x, -neg_shift) (half away from zero) for
// neg_shift <= 0. vrshlq_s32 rounds half up; subtracting 1 from a negative x
// first (only where the shift is non-zero: the sign bit of neg_shift) turns
// its ties downwards and changes nothing else. vqaddq keeps INT32_MIN there
// (which has no remainder, so the result is the same).
// kFixup false: the caller knows the fix-up cannot change an output (see
// RequantFixupNeeded).
template <bool kFixup>
inline int32x4_t RoundingShiftRight(int32x4_t x, int32x4_t neg_shift) {
  if (kFixup) {
    const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, neg_shift), 31);
    x = vqaddq_s32(x, fixup);
  }
  return vrshlq_s32(x, neg_shift);
}

// MultiplyByQuantizedMultiplier + offset + clamp on 4 lanes, bit-exact:
// vqrdmulhq_s32 is SaturatingRoundingDoublingHighMul (its one saturating case
// included), then the rounding right shift above.
template <bool kLeftShift, bool kFixup>
inline int32x4_t Requantize4(int32x4_t x, const RequantNeon4& q, const RequantNeon& c) {
  if (kLeftShift) x = vshlq_s32(x, q.left_shift);
  int32x4_t r = RoundingShiftRight<kFixup>(vqrdmulhq_s32(x, q.multiplier), q.right_shift);
  r = vaddq_s32(r, c.offset);
  return vminq_s32(vmaxq_s32(r, c.lo), c.hi);
}

// 16 accumulators (4 x int32x4) requantized and narrowed to int8.
template <bool kLeftShift, bool kFixup>
inline int8x16_t Requantize16(const int32x4_t acc[4], const RequantNeon& q) {
  const int16x8_t lo = vcombine_s16(vmovn_s32(Requantize4<kLeftShift, kFixup>(acc[0], q.q[0], q)),
                                    vmovn_s32(Requantize4<kLeftShift, kFixup>(acc[1], q.q[1], q)));
  const int16x8_t hi = vcombine_s16(vmovn_s32(Requantize4<kLeftShift, kFixup>(acc[2], q.q[2], q)),
                                    vmovn_s32(Requantize4<kLeftShift, kFixup>(acc[3], q.q[3], q)));
  // Values are already in [act_min, act_max]: the narrowing only gathers bytes.
  return vcombine_s8(vmovn_s16(lo), vmovn_s16(hi));
}

// The half-away-from-zero fix-up only moves a negative rounded value further
// down; when the activation's lower bound is at or above the output zero
// point, every such value clamps to act_min either way (the argument of
// RequantData::EnableFloor), so the kernels can skip it.
inline bool RequantFixupNeeded(const RequantArgs& r) { return r.act_min < r.output_offset; }

// Stores `count` (<= 16) bytes.
inline void Store16(int8_t* dst, int8x16_t v, int count) {
  if (count >= 16) {
    vst1q_s8(dst, v);
  } else {
    int8_t tmp[16];
    vst1q_s8(tmp, v);
    std::memcpy(dst, tmp, count);
  }
}

// Loads `count` (<= 16) bytes; the rest are zero.
inline int8x16_t Load16(const int8_t* src, int count) {
  if (count >= 16) return vld1q_s8(src);
  int8_t tmp[16] = {};
  std::memcpy(tmp, src, count);
  return vld1q_s8(tmp);
}

}  // namespace
}  // namespace vww::fast
