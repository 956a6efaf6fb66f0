// Prepare-time helpers shared by the fast kernels (portable code only).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/fast/args.h"
#include "model/quantization.h"

namespace vww::fast {

inline int RoundUp(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }

// Owns the arrays a RequantArgs points into.
struct RequantData {
  std::vector<int32_t> multiplier, left_shift, right_shift, round_mask, round_threshold;
  RequantArgs args{};

  // multipliers/shifts as PerChannelMultipliers returns them (one per channel,
  // or one for all); padded to `padded` channels with multiplier 0.
  void Init(const std::vector<int32_t>& multipliers, const std::vector<int32_t>& shifts,
            int channels, int padded, int32_t output_offset, int32_t act_min, int32_t act_max);
};

// The scalar path: exactly the reference's arithmetic.
inline int8_t RequantizeScalar(int32_t acc, const RequantArgs& r, int c) {
  int32_t v = MultiplyByQuantizedMultiplier(acc, r.multiplier[c], r.left_shift[c] - r.right_shift[c]);
  v += r.output_offset;
  return static_cast<int8_t>(std::min(std::max(v, r.act_min), r.act_max));
}

}  // namespace vww::fast
