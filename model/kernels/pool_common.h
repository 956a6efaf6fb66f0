// What AVERAGE_POOL_2D and MAX_POOL_2D share: the prepare (options, output
// size, padding, activation range) and the reference window loop.
#pragma once

#include <algorithm>
#include <cstdint>

#include "model/kernel.h"
#include "model/kernels/reference.h"

namespace vww {

// One int8 NHWC input and output with equal quantization, Pool2DOptions, the
// output size TFLite computes, and no window that lies wholly in the padding.
// Fills *p or fails the node. The fast average pool reuses it.
void PreparePool2D(const Node& node, ref::PoolParams* p);

// The reference kernels of both pools share this signature.
using PoolFn = void (*)(const ref::PoolParams& p, const Shape& input_shape, const int8_t* input,
                        const Shape& output_shape, int8_t* output);

// The reference prepare of either pool: PreparePool2D, then eval calls `run`.
bool PrepareReferencePool(Node& node, PoolFn run);

namespace ref {

// The window loop of both pools: for every output element, the window clipped
// to the input is reduced by reduce(first, rows, cols, row_step, col_step)
// (the in-bounds pixel at the window's top left, the count of in-bounds rows
// and columns, the element steps between them); the result is clamped to
// [act_min, act_max].
template <typename Reduce>
inline void PoolWindows(const PoolParams& p, const Shape& input_shape, const int8_t* input,
                        const Shape& output_shape, int8_t* output, Reduce reduce) {
  const int batches = input_shape[0], in_h = input_shape[1], in_w = input_shape[2],
            depth = input_shape[3];
  const int out_h = output_shape[1], out_w = output_shape[2];
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * p.stride_h - p.pad_h;
      const int fy_start = std::max(0, -in_y0);
      const int fy_end = std::min(p.filter_h, in_h - in_y0);
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * p.stride_w - p.pad_w;
        const int fx_start = std::max(0, -in_x0);
        const int fx_end = std::min(p.filter_w, in_w - in_x0);
        const int8_t* first =
            input + ((b * in_h + in_y0 + fy_start) * in_w + in_x0 + fx_start) * depth;
        for (int c = 0; c < depth; ++c) {
          int32_t v = reduce(first + c, fy_end - fy_start, fx_end - fx_start, in_w * depth, depth);
          v = std::min(std::max(v, p.act_min), p.act_max);
          output[((b * out_h + oy) * out_w + ox) * depth + c] = static_cast<int8_t>(v);
        }
      }
    }
  }
}

}  // namespace ref

}  // namespace vww
