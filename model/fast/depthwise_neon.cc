// DEPTHWISE_CONV_2D with NEON (dw-generic-c16-neon): one output pixel at a
// time, 16 channels per step. Inputs are widened to int16 and vmlal_s16
// multiplies them by the int16 weights into four int32x4 accumulators, one
// instruction per 4 lanes and tap (products and sums are exact). Taps in the
// padding read the input zero point (the bias correction cancels it, see
// depthwise.cc).
#include "model/fast/args.h"
#include "model/fast/mca_region.h"
#include "model/fast/simd_neon.h"

namespace vww::fast {

namespace {

inline void MulAdd16(int32x4_t acc[4], int16x8_t x_lo, int16x8_t x_hi, const int16_t* w) {
  const int16x8_t w_lo = vld1q_s16(w), w_hi = vld1q_s16(w + 8);
  acc[0] = vmlal_s16(acc[0], vget_low_s16(x_lo), vget_low_s16(w_lo));
  acc[1] = vmlal_high_s16(acc[1], x_lo, w_lo);
  acc[2] = vmlal_s16(acc[2], vget_low_s16(x_hi), vget_low_s16(w_hi));
  acc[3] = vmlal_high_s16(acc[3], x_hi, w_hi);
}

template <int kTaps, bool kLeftShift, bool kFixup>
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
  const int16x8_t zero_point = vdupq_n_s16(static_cast<int16_t>(a.input_zero_point));
  const int blocks = (a.out_c + 15) / 16;
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
          const int count = a.out_c - c;  // loads read only the channels that exist
          const int16_t* w = a.weights16 + c;
          int32x4_t acc[4];
          for (int i = 0; i < 4; ++i) acc[i] = vld1q_s32(a.bias + c + 4 * i);
          for (int t = 0; t < taps; ++t) {
            VWW_MCA_BEGIN("dw-generic-c16-neon");
            int16x8_t x_lo = zero_point, x_hi = zero_point;
            if (ptr[t]) {
              if (a.broadcast_input) {
                x_lo = x_hi = vdupq_n_s16(*ptr[t]);
              } else {
                const int8x16_t x = Load16(ptr[t] + c, count);
                x_lo = vmovl_s8(vget_low_s8(x));
                x_hi = vmovl_high_s8(x);
              }
            }
            MulAdd16(acc, x_lo, x_hi, w + static_cast<long>(t) * a.out_c_padded);
            VWW_MCA_END();
          }
          Store16(out + c, Requantize16<kLeftShift, kFixup>(acc, LoadRequantNeon(a.rq, c)), count);
        }
      }
    }
}

template <bool kLeftShift, bool kFixup>
void Dispatch(const DepthwiseArgs& a) {
  if (a.kh == 3 && a.kw == 3)
    Run<9, kLeftShift, kFixup>(a);
  else
    Run<0, kLeftShift, kFixup>(a);
}

}  // namespace

void DepthwiseNeon(const DepthwiseArgs& a) {
  const bool fixup = RequantFixupNeeded(a.rq);
  if (a.rq.any_left_shift)
    fixup ? Dispatch<true, true>(a) : Dispatch<true, false>(a);
  else
    fixup ? Dispatch<false, true>(a) : Dispatch<false, false>(a);
}

}  // namespace vww::fast
