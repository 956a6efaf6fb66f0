#include "model/fast/common.h"

#include <cstring>

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

int PackGemmWeightsNeon(Isa isa, const int8_t* w, int out_c, int k, std::vector<int8_t>* packed,
                        bool* pair_products) {
  *pair_products =
      std::none_of(w, w + static_cast<long>(out_c) * k, [](int8_t v) { return v == -128; });
  // sdot reads the VNNI layout: 4 depths of 16 channels per 64 bytes.
  if (isa == Isa::kNeonDot) {
    const int depth = RoundUp(k, 4);
    *packed = PackWeightsVnni(w, out_c, k, depth);
    return depth;
  }
  const int depth = RoundUp(k, 8);
  packed->assign(static_cast<size_t>(RoundUp(out_c, 16)) * depth, 0);
  const int full = depth / 16 * 16;  // the depth of the whole 16-deep steps
  for (int oc = 0; oc < out_c; ++oc)
    for (int i = 0; i < k; ++i) {
      const size_t block = static_cast<size_t>(oc / 4) * 4 * depth;
      const size_t at = i < full ? block + (i / 16) * 64 + (oc % 4) * 16 + i % 16
                                 : block + full * 4 + (oc % 4) * 8 + (i - full);
      (*packed)[at] = w[static_cast<long>(oc) * k + i];
    }
  return depth;
}

const int8_t* PointwiseRows(const PointwiseArgs& a) {
  if (PointwiseRowsInPlace(a)) return a.input;
  auto* dst = reinterpret_cast<int8_t*>(a.scratch);
  for (int b = 0; b < a.batches; ++b)
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        const int8_t* src =
            a.input +
            ((static_cast<long>(b) * a.in_h + oy * a.stride_h) * a.in_w + ox * a.stride_w) * a.in_c;
        std::memcpy(dst, src, a.in_c);
        std::memset(dst + a.in_c, 0, a.depth - a.in_c);
        dst += a.depth;
      }
  return reinterpret_cast<const int8_t*>(a.scratch);
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
