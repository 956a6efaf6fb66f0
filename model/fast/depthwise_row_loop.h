// The general row loop of the AVX2 and AVX-512 depthwise row kernels (see
// DepthwiseRowArgs): the ISA files supply only the chunk functions.
#pragma once

#include <type_traits>

#include "model/fast/args.h"

namespace vww::fast {

// Runs every output row of one batch: chunks four at a time (so the dependent
// accumulations of one chunk do not serialize on the instruction latency),
// then one at a time. For a one-channel input (broadcast) calls
//   broadcast(std::integral_constant<int, kChunks>, row, row_bytes, k, out);
// otherwise, with the chunk's lane -> channel pattern k % a.patterns,
//   contiguous(std::integral_constant<int, kChunks>, row, tap_offset, taps, k, pattern, out).
template <typename Broadcast, typename Contiguous>
inline void DepthwiseRowLoop(const DepthwiseRowArgs& a, Broadcast broadcast,
                             Contiguous contiguous) {
  constexpr std::integral_constant<int, 4> kFour;
  constexpr std::integral_constant<int, 1> kOne;
  const int taps = a.kh * a.kw;
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  long tap_offset[kMaxDepthwiseTaps];
  for (int t = 0; t < taps; ++t)
    tap_offset[t] = (t / a.kw) * a.dilation_h * row_bytes +
                    static_cast<long>((t % a.kw) * a.dilation_w) * a.in_c;
  for (int oy = 0; oy < a.out_h; ++oy) {
    const uint8_t* row = a.scratch + oy * a.stride_h * row_bytes;
    int8_t* out = a.output + static_cast<long>(oy) * a.row_elements;
    int k = 0;
    if (a.broadcast_input) {
      for (; k + 4 <= a.chunks; k += 4) broadcast(kFour, row, row_bytes, k, out);
      for (; k < a.chunks; ++k) broadcast(kOne, row, row_bytes, k, out);
    } else {
      int pattern = 0;  // k % a.patterns
      for (; k + 4 <= a.chunks; k += 4) {
        contiguous(kFour, row, tap_offset, taps, k, pattern, out);
        pattern += 4;
        while (pattern >= a.patterns) pattern -= a.patterns;
      }
      for (; k < a.chunks; ++k) {
        contiguous(kOne, row, tap_offset, taps, k, pattern, out);
        if (++pattern == a.patterns) pattern = 0;
      }
    }
  }
}

}  // namespace vww::fast
