#include "model/fast/common.h"

namespace vww::fast {

void RequantData::Init(const std::vector<int32_t>& multipliers, const std::vector<int32_t>& shifts,
                       int channels, int padded, int32_t output_offset, int32_t act_min,
                       int32_t act_max) {
  this->channels = channels;
  multiplier.assign(padded, 0);
  left_shift.assign(padded, 0);
  right_shift.assign(padded, 0);
  round_mask.assign(padded, 0);
  round_threshold.assign(padded, 0);
  bool any_left = false;
  for (int c = 0; c < channels; ++c) {
    const size_t i = multipliers.size() == 1 ? 0 : c;
    multiplier[c] = multipliers[i];
    left_shift[c] = std::max(shifts[i], 0);
    right_shift[c] = std::max(-shifts[i], 0);
    // A right shift of 31 is the largest TFLite produces; the mask stays an int32.
    round_mask[c] = static_cast<int32_t>((int64_t{1} << right_shift[c]) - 1);
    round_threshold[c] = round_mask[c] >> 1;
    any_left = any_left || left_shift[c] > 0;
  }
  args.multiplier = multiplier.data();
  args.left_shift = left_shift.data();
  args.right_shift = right_shift.data();
  args.round_mask = round_mask.data();
  args.round_threshold = round_threshold.data();
  args.output_offset = output_offset;
  args.act_min = act_min;
  args.act_max = act_max;
  args.any_left_shift = any_left;
  args.floor_path = false;
  args.full_range = act_min <= -128 && act_max >= 127;
  args.floor_add = nullptr;
  args.floor_shift = nullptr;
}

void RequantData::EnableFloor(int64_t max_abs_acc) {
  const int padded = static_cast<int>(multiplier.size());
  if (padded % 16 != 0 || args.any_left_shift) return;
  if (max_abs_acc >= (int64_t{1} << 30)) return;
  if (args.act_min < args.output_offset) return;
  // Padding channels (multiplier 0, rs 0) produce values nobody stores.
  for (int c = 0; c < channels; ++c)
    if (right_shift[c] < 1 || right_shift[c] > 22) return;
  floor_add.assign(padded, 0);
  floor_shift.assign(padded, 0);
  for (int c = 0; c < padded; ++c) {
    // Channel c sits in block c / 16, lane c % 16: even lanes first.
    const int lane = c % 16;
    const int slot = (c / 16) * 16 + (lane % 2) * 8 + lane / 2;
    const int rs = right_shift[c];
    floor_add[slot] = (int64_t{1} << 30) + (rs > 0 ? int64_t{1} << (30 + rs) : 0) +
                      static_cast<int64_t>(args.output_offset) * (int64_t{1} << (31 + rs));
    floor_shift[c] = rs > 0 ? rs - 1 : 0;
  }
  args.floor_add = floor_add.data();
  args.floor_shift = floor_shift.data();
  args.floor_path = true;
}

std::vector<int8_t> PackWeightsVnni(const int8_t* w, int rows, int k, int depth) {
  const int groups = depth / 4;
  std::vector<int8_t> packed(static_cast<size_t>(RoundUp(rows, 16)) * depth, 0);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < k; ++i)
      packed[((static_cast<size_t>(r / 16) * groups + i / 4) * 16 + r % 16) * 4 + i % 4] =
          w[static_cast<long>(r) * k + i];
  return packed;
}

std::vector<int16_t> PackWeightsPairs(const int8_t* w, int rows, int k, int depth) {
  const int pairs = depth / 2;
  std::vector<int16_t> packed(static_cast<size_t>(RoundUp(rows, 16)) * depth, 0);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < k; ++i)
      packed[((static_cast<size_t>(r / 8) * pairs + i / 2) * 8 + r % 8) * 2 + i % 2] =
          w[static_cast<long>(r) * k + i];
  return packed;
}

std::vector<int32_t> RowSums(const int8_t* w, int rows, int k) {
  std::vector<int32_t> sums(rows, 0);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < k; ++i) sums[r] += w[static_cast<long>(r) * k + i];
  return sums;
}

}  // namespace vww::fast
