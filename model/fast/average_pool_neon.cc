// Global AVERAGE_POOL_2D with NEON (avgpool-global-c16-neon): 16 channels per
// step, the sums in four int32x4 (vaddw), and the rounded division as one
// 32-bit multiply and shift, exact for every reachable sum (SmallReciprocal in
// average_pool.cc, as for AVX-512).
#include "model/fast/args.h"
#include "model/fast/mca_region.h"
#include "model/fast/simd_neon.h"

namespace vww::fast {

namespace {

inline int32x4_t Divide(int32x4_t sum, uint32x4_t half, uint32x4_t reciprocal, int32x4_t shift,
                        int32x4_t lo, int32x4_t hi) {
  // |acc| + count/2 times the reciprocal stays below 2^32 (checked in
  // prepare), so the low half of the product is the whole product.
  const uint32x4_t magnitude = vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(sum)), half);
  const int32x4_t q = vreinterpretq_s32_u32(vshlq_u32(vmulq_u32(magnitude, reciprocal), shift));
  // sign(acc) * q: negate where the sum is negative.
  const int32x4_t v = vbslq_s32(vcltzq_s32(sum), vnegq_s32(q), q);
  return vminq_s32(vmaxq_s32(v, lo), hi);
}

}  // namespace

void GlobalPoolNeon(const GlobalPoolArgs& a) {
  const uint32x4_t half = vdupq_n_u32(static_cast<uint32_t>(a.count_half));
  const uint32x4_t reciprocal = vdupq_n_u32(a.reciprocal);
  const int32x4_t shift = vdupq_n_s32(-a.shift);
  const int32x4_t lo = vdupq_n_s32(a.act_min), hi = vdupq_n_s32(a.act_max);
  for (int b = 0; b < a.batches; ++b) {
    const int8_t* image = a.input + static_cast<long>(b) * a.pixels * a.depth;
    int8_t* out = a.output + static_cast<long>(b) * a.depth;
    for (int c = 0; c < a.depth; c += 16) {
      const int count = a.depth - c;
      int32x4_t sum[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
      for (int p = 0; p < a.pixels; ++p) {
        VWW_MCA_BEGIN("avgpool-global-c16-neon");
        const int8x16_t x = Load16(image + static_cast<long>(p) * a.depth + c, count);
        const int16x8_t x_lo = vmovl_s8(vget_low_s8(x)), x_hi = vmovl_high_s8(x);
        sum[0] = vaddw_s16(sum[0], vget_low_s16(x_lo));
        sum[1] = vaddw_high_s16(sum[1], x_lo);
        sum[2] = vaddw_s16(sum[2], vget_low_s16(x_hi));
        sum[3] = vaddw_high_s16(sum[3], x_hi);
        VWW_MCA_END();
      }
      int32x4_t v[4];
      for (int i = 0; i < 4; ++i) v[i] = Divide(sum[i], half, reciprocal, shift, lo, hi);
      const int16x8_t w0 = vcombine_s16(vmovn_s32(v[0]), vmovn_s32(v[1]));
      const int16x8_t w1 = vcombine_s16(vmovn_s32(v[2]), vmovn_s32(v[3]));
      Store16(out + c, vcombine_s8(vmovn_s16(w0), vmovn_s16(w1)), count);
    }
  }
}

}  // namespace vww::fast
