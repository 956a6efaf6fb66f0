// Prepare-time helpers shared by the fast kernels (portable code only).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "model/fast/args.h"
#include "model/fast/isa.h"
#include "model/quantization.h"

namespace vww::fast {

inline int RoundUp(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }

// Owns the arrays a RequantArgs points into.
struct RequantData {
  std::vector<int32_t> multiplier, left_shift, right_shift, round_mask, round_threshold;
  std::vector<int64_t> floor_add;
  std::vector<int32_t> floor_shift;
  int channels = 0;
  RequantArgs args{};

  // multipliers/shifts as PerChannelMultipliers returns them (one per channel,
  // or one for all); padded to `padded` channels with multiplier 0.
  void Init(const std::vector<int32_t>& multipliers, const std::vector<int32_t>& shifts,
            int channels, int padded, int32_t output_offset, int32_t act_min, int32_t act_max);

  // Turns on the one-rounding form when it is exact for every accumulator
  // |acc| <= max_abs_acc. TFLite rounds twice: h = floor((acc*m + 2^30) / 2^31),
  // then h / 2^rs rounded half away from zero = floor((h + 2^(rs-1) - [h<0]) / 2^rs).
  // Nested floors merge: floor((acc*m + 2^30 + (2^(rs-1) - [h<0]) * 2^31) / 2^(31+rs)).
  // The [h<0] term can only lower a result that is already <= 0, and when
  // act_min >= output_offset every such result clamps to act_min either way,
  // so it can be dropped: one 64-bit multiply, add and shift per value.
  // The kernels take the floor in two steps, floor(floor(n / 2^32) / 2^(rs-1))
  // (nested floors compose exactly): the high half of the 64-bit sum is the
  // first for free, and the second is one 32-bit shift for all 16 lanes
  // instead of two 64-bit ones. Needs no left shifts, 1 <= rs <= 22 and
  // max_abs_acc < 2^30 (no int64 or int32 overflow), and `padded` a multiple
  // of 16.
  void EnableFloor(int64_t max_abs_acc);
};

// The GEMM forms' weight layouts, from w [rows][k] (rows = output channels
// or units), zero past k and past rows (rows padded to 16):
//  - VNNI (vpdpbusd): [rows / 16][depth / 4][16][4] int8, depth >= k a multiple of 4;
//  - pairs (AVX2 vpmaddwd): [rows / 8][depth / 2][8][2] int16, depth >= k even.
std::vector<int8_t> PackWeightsVnni(const int8_t* w, int rows, int k, int depth);
std::vector<int16_t> PackWeightsPairs(const int8_t* w, int rows, int k, int depth);
// sum over i of w[row][i], per row: what the zero-point corrections multiply.
std::vector<int32_t> RowSums(const int8_t* w, int rows, int k);

// For the GEMM forms (weights [out_c][k]): *max_abs_acc bounds |bias + sum
// w * (x - zp)| over all inputs (|x - zp| <= 255), for EnableFloor. Returns
// whether every value a GEMM kernel forms fits in int32: the folded bias
// (|b| + 256 sum |w|) plus any partial sum of w * u8 (255 sum |w|). Real
// models can have large biases (MLPerf VWW's 1x1 layers): only int32
// overflow, which the reference would wrap, is declined.
inline bool GemmFitsInt32(const int32_t* bias, const int8_t* w, int out_c, int k,
                          int64_t* max_abs_acc) {
  *max_abs_acc = 0;
  for (int oc = 0; oc < out_c; ++oc) {
    int64_t abs_w = 0;
    for (int i = 0; i < k; ++i)
      abs_w += std::abs(static_cast<int>(w[static_cast<long>(oc) * k + i]));
    const int64_t abs_b = bias ? std::abs(static_cast<int64_t>(bias[oc])) : 0;
    *max_abs_acc = std::max(*max_abs_acc, abs_b + 255 * abs_w);
    if (abs_b + 511 * abs_w >= (int64_t{1} << 31) - 1) return false;
  }
  return true;
}

// The arm64 GEMM forms' weights, shared by conv1x1, im2col and
// FULLY_CONNECTED (w is [out_c][k], TFLite's filter layout). Packs into
// `packed` (zero past k and past out_c rounded up to 16) and returns the
// depth the input rows must be padded to:
//  - kNeonDot: [out_c / 16][depth / 4][16][4] (the VNNI layout): one 16-byte
//    load is 4 channels x 4 depth, for sdot by lane; depth = k rounded up to 4.
//  - kNeon: per block of 4 channels ([4 * depth] bytes), per step of 16 depth
//    [4][16], and a last half step of 8 as [4][8]; depth = k rounded up to 8.
// *pair_products: no weight is -128 (PointwiseArgs::pair_products).
int PackGemmWeightsNeon(Isa isa, const int8_t* w, int out_c, int k, std::vector<int8_t>* packed,
                        bool* pair_products);

// The scalar path: exactly the reference's arithmetic.
inline int8_t RequantizeScalar(int32_t acc, const RequantArgs& r, int c) {
  int32_t v =
      MultiplyByQuantizedMultiplier(acc, r.multiplier[c], r.left_shift[c] - r.right_shift[c]);
  v += r.output_offset;
  return static_cast<int8_t>(std::min(std::max(v, r.act_min), r.act_max));
}

}  // namespace vww::fast
